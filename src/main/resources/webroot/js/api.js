// The v1 API with the signed-in user's bearer token. Any 401 ends the session and shows the login
// view (through onSignedOut); a server without authentication (login answers 404) is "open".
import { noteServerDate } from './dom.js';

const STORE = 'muster.session';
const TIMEOUT_MS = 15000;
const RANK = { viewer: 0, coordinator: 1, commander: 2, admin: 3 };

let session = null; // {token, expiresAt, user: {username, role, facilities}} or {open: true}
let signedOutListener = () => {};

export class Unauthorized extends Error {
  constructor(message = 'Your session has ended. Sign in again.') {
    super(message);
    this.name = 'Unauthorized';
  }
}

/** An API refusal with the server's error message (or a network failure: status 0). */
export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

export function onSignedOut(listener) {
  signedOutListener = listener;
}

/** The stored session, if it has not expired. */
export function restore() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORE) || 'null');
    if (saved && saved.token && saved.expiresAt > Date.now() + 5000) {
      session = saved;
      scheduleRefresh();
    }
  } catch {
    sessionStorage.removeItem(STORE);
  }
  return session;
}

export const current = () => session;
export const isOpen = () => Boolean(session && session.open);

/** The page's user may do what the role allows; an open server allows everything. */
export function can(action) {
  if (!session) return false;
  if (session.open) return true;
  const rank = RANK[session.user?.role] ?? -1;
  const needs = { trigger: 2, resolve: 2, completeTask: 2, updateReadiness: 1, view: 0 }[action];
  return needs !== undefined && rank >= needs;
}

export function describeUser() {
  if (!session) return '';
  if (session.open) return 'Open access (this server has no sign-in)';
  const u = session.user || {};
  return `${u.username} (${u.role})`;
}

/** Signs in; resolves to the session, or to an open session when the server has no login. */
export async function login(username, password) {
  const res = await send('/api/v1/auth/login', { method: 'POST', body: { username, password }, auth: false });
  if (res.status === 404) {
    session = { open: true };
    return session;
  }
  const body = await json(res);
  if (res.status === 401) throw new ApiError(401, 'Wrong username or password.');
  if (!res.ok) throw new ApiError(res.status, errorText(body, res));
  keep(body, body.user || { username, role: 'viewer', facilities: [] });
  return session;
}

function keep(body, user) {
  session = { token: body.accessToken, expiresAt: Date.now() + (body.expiresIn || 900) * 1000, user };
  sessionStorage.setItem(STORE, JSON.stringify(session));
  scheduleRefresh();
}

// A wall screen stays signed in: shortly before the token expires the page asks for a new one
// (POST /api/v1/auth/refresh with the current token). A server without that operation (404) lets
// the session end, and the sign-in view comes back.
let refreshTimer = null;
let canRefresh = true;

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!session || session.open || !canRefresh) return;
  const left = session.expiresAt - Date.now();
  refreshTimer = setTimeout(refresh, Math.max(5000, Math.min(left - 60000, left * 0.8)));
}

async function refresh() {
  if (!session || session.open) return;
  try {
    const body = await api('/api/v1/auth/refresh', { method: 'POST' });
    keep(body, body.user || session.user);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) canRefresh = false;
    else if (!(e instanceof Unauthorized)) refreshTimer = setTimeout(refresh, 15000);
  }
}

/** Asks the server whether it needs a sign-in: a 401 without a token says it does. */
export async function probe() {
  const res = await send('/api/v1/playbooks', { auth: false });
  if (res.status === 401) return false;
  if (!res.ok) throw new ApiError(res.status, `The server answered ${res.status}.`);
  session = { open: true };
  return true;
}

/** Sets the signed-in user's password; the answer's fresh token replaces the old one, which has ended. */
export async function changePassword(currentPassword, newPassword) {
  const body = await api('/api/v1/auth/password', { method: 'POST', body: { currentPassword, newPassword } });
  keep(body, body.user);
  return session;
}

/** Ends every token of this user on the server (every node), then the session here. */
export async function logout(reason) {
  if (session && !session.open) {
    try {
      await send('/api/v1/auth/logout', { method: 'POST', auth: true });
    } catch {
      // Unreachable server: the token still ends here, and expires there.
    }
  }
  signOut(reason);
}

export function signOut(reason) {
  clearTimeout(refreshTimer);
  const had = session;
  session = null;
  sessionStorage.removeItem(STORE);
  if (had) signedOutListener(reason);
}

/** GET/POST/PATCH a JSON API path; resolves to the parsed body, throws ApiError or Unauthorized. */
export async function api(path, { method = 'GET', body, headers } = {}) {
  if (session && !session.open && session.expiresAt <= Date.now()) {
    signOut('Your session has expired. Sign in again.');
    throw new Unauthorized();
  }
  const res = await send(path, { method, body, headers, auth: true });
  const data = await json(res);
  if (res.status === 401) {
    signOut('Your session has ended. Sign in again.');
    throw new Unauthorized();
  }
  if (!res.ok) throw new ApiError(res.status, errorText(data, res), data?.error?.field);
  return data;
}

/** A single-use ticket for the websocket; null when the server has no tickets (open). */
export async function wsTicket() {
  if (!session || session.open) return null;
  try {
    const t = await api('/api/v1/auth/ws-ticket', { method: 'POST' });
    return t.ticket;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** GET /api/v1/about (no sign-in needed); null when the server does not have it. */
export async function about() {
  try {
    const res = await send('/api/v1/about', { auth: false });
    return res.ok ? await json(res) : null;
  } catch {
    return null;
  }
}

async function send(path, { method = 'GET', body, headers = {}, auth }) {
  const h = { accept: 'application/json', ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  if (auth && session && session.token) h.authorization = `Bearer ${session.token}`;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  try {
    const res = await fetch(path, {
      method, headers: h, cache: 'no-store', signal: abort.signal,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    noteServerDate(res.headers.get('date'));
    return res;
  } catch (e) {
    throw new ApiError(0, abort.signal.aborted ? 'The server did not answer in time.' : 'The server cannot be reached.');
  } finally {
    clearTimeout(timer);
  }
}

async function json(res) {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function errorText(body, res) {
  if (body && body.error && body.error.message) return body.error.message;
  if (res.status === 403) return 'Your role does not allow this.';
  return `The server answered ${res.status}.`;
}
