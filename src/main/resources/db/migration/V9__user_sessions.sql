-- A token stands for a user only while the user's state that issued it is unchanged: every change
-- of password, role or facilities, a disable, a password reset and a sign-out raise token_version,
-- and a token carrying an older version is refused on every node (see security/Sessions).
ALTER TABLE app_user ADD COLUMN token_version INT DEFAULT 0 NOT NULL;
-- Set by an administrator's password reset: the user may only change the password until they do.
ALTER TABLE app_user ADD COLUMN must_change_password BOOLEAN DEFAULT FALSE NOT NULL;
-- Wrong passwords in a row, and until when sign-in is refused without looking at the password.
ALTER TABLE app_user ADD COLUMN failed_logins INT DEFAULT 0 NOT NULL;
ALTER TABLE app_user ADD COLUMN locked_until TIMESTAMP WITH TIME ZONE;
