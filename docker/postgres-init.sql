-- Muster's two database roles. The postgres image runs this once, when it first creates its data
-- folder, as the superuser in database "muster" (psql, so \getenv reads the service's environment).
--   muster_owner  owns the database and its schema; Muster runs its migrations as this role.
--   muster_app    the role Muster runs as: it owns nothing, so it cannot alter a table, disable a
--                 trigger or grant itself anything; after each migration the owner grants it what
--                 it uses, which on audit_log is SELECT and INSERT only (see README.md, Security).
-- On a data folder made before this file existed, run it by hand: psql -U postgres -d muster -f …
\set ON_ERROR_STOP on
\getenv owner_password MUSTER_DB_OWNER_PASSWORD
\getenv app_password MUSTER_DB_PASSWORD
CREATE ROLE muster_owner LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD :'owner_password';
CREATE ROLE muster_app LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD :'app_password';
ALTER DATABASE muster OWNER TO muster_owner;
ALTER SCHEMA public OWNER TO muster_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
