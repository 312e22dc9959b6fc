// The coordinator dashboard: sign-in, the live stream, and the views it keeps current.
import { $, h, replace, clockTime, duration, now } from './dom.js';
import * as api from './api.js';
import { LiveStream } from './live.js';
import { describe } from './events.js';
import { renderList, renderDetail, resetDetailUi, dueText } from './incidents.js';
import { renderBoard, resetBoard } from './readiness.js';
import { destroyCharts } from './chart.js';

const MAX_LOG = 300;

const state = {
  playbooks: new Map(),
  facilities: new Map(),
  incidents: new Map(),
  selectedId: null,
  detail: null,
  detailAt: null,
  detailMessage: null,
  boards: new Map(),
  sms: { degraded: false, at: null, reason: '' },
  conn: { state: 'connecting' },
};

const names = {
  playbook: (id) => state.playbooks.get(id)?.name || id,
  facility: (id) => state.facilities.get(id)?.name || id,
};

let live = null;

// ---------------------------------------------------------------- start, sign-in, sign-out

function boot() {
  api.onSignedOut((reason) => showLogin(reason));
  $('login-form').addEventListener('submit', signIn);
  $('new-password-form').addEventListener('submit', newPassword);
  $('sign-out').addEventListener('click', () => {
    $('login-username').value = ''; // a shared wall screen: the next person types their own name
    api.logout('You signed out.');
  });
  $('trigger').addEventListener('submit', trigger);
  $('trigger').addEventListener('input', () => resetTriggerKey());
  window.addEventListener('hashchange', () => selectFromHash());
  setInterval(tick, 1000);
  api.about().then(showAbout);
  const restored = api.restore();
  if (restored && restored.user && restored.user.mustChangePassword) showNewPassword();
  else if (restored) enter();
  else decide();
}

/** Without a stored session: sign-in view, or straight in when the server has no sign-in. */
async function decide() {
  try {
    if (await api.probe()) enter();
    else showLogin();
  } catch (e) {
    showError(`${e.message} Retrying…`);
    setTimeout(decide, 3000);
  }
}

function showAbout(about) {
  if (!about) return;
  if (about.nodeId) $('node').textContent = `node ${about.nodeId}`;
  if (about.simulatorUrl) {
    const link = $('sim-link');
    link.href = about.simulatorUrl;
    link.hidden = false;
  }
}

function showLogin(message) {
  if (live) live.stop();
  live = null;
  clearData();
  document.body.dataset.view = 'login';
  $('app').hidden = true;
  $('who').hidden = true;
  $('sign-out').hidden = true;
  $('login').hidden = false;
  $('new-password').hidden = true;
  setConn({ state: 'signed-out' });
  $('login-result').textContent = message || '';
  $('login-password').value = '';
  ($('login-username').value ? $('login-password') : $('login-username')).focus();
}

async function signIn(ev) {
  ev.preventDefault();
  const form = ev.target;
  const button = form.querySelector('button');
  button.disabled = true;
  $('login-result').textContent = 'Signing in…';
  try {
    const session = await api.login(form.username.value.trim(), form.password.value);
    const typed = form.password.value;
    form.password.value = '';
    if (session.user && session.user.mustChangePassword) showNewPassword(typed);
    else enter();
  } catch (e) {
    $('login-result').textContent = e.message;
    form.password.select();
  } finally {
    button.disabled = false;
  }
}

/** After a password reset the user chooses their own before anything else (the server insists too). */
function showNewPassword(temporary) {
  document.body.dataset.view = 'login';
  $('login').hidden = true;
  $('app').hidden = true;
  $('new-password').hidden = false;
  $('new-password-current').value = temporary || '';
  $('new-password-result').textContent = '';
  (temporary ? $('new-password-1') : $('new-password-current')).focus();
}

async function newPassword(ev) {
  ev.preventDefault();
  const form = ev.target;
  if (form.next.value !== form.again.value) {
    $('new-password-result').textContent = 'The two new passwords differ.';
    form.again.select();
    return;
  }
  const button = form.querySelector('button');
  button.disabled = true;
  $('new-password-result').textContent = 'Saving…';
  try {
    await api.changePassword(form.current.value, form.next.value);
    form.reset();
    $('new-password').hidden = true;
    enter();
  } catch (e) {
    $('new-password-result').textContent = e.message;
  } finally {
    button.disabled = false;
  }
}

async function enter() {
  if (live) live.stop();
  live = null;
  document.body.dataset.view = 'app';
  $('login').hidden = true;
  $('app').hidden = false;
  $('who').textContent = api.describeUser();
  $('who').hidden = false;
  $('sign-out').hidden = api.isOpen();
  $('trigger-panel').hidden = !api.can('trigger');
  hideError();
  try {
    await loadReference();
  } catch (e) {
    if (!(e instanceof api.Unauthorized)) showError(`Could not load playbooks and facilities: ${e.message}`);
    if (e instanceof api.Unauthorized) return;
  }
  if (!api.current()) return; // signed out meanwhile
  if (live) live.stop();
  live = new LiveStream({ onSnapshot, onEvent, onState: setConn });
  live.start();
  loadBoards();
}

function clearData() {
  state.incidents.clear();
  state.boards.clear();
  state.selectedId = null;
  state.detail = null;
  destroyCharts();
  resetBoard();
  replace($('incidents'));
  replace($('readiness'));
  replace($('events'));
  replace($('detail-body'));
  $('detail-body').hidden = true;
  $('detail-empty').hidden = false;
}

async function loadReference() {
  const [pb, fac] = await Promise.all([api.api('/api/v1/playbooks'), api.api('/api/v1/facilities')]);
  state.playbooks = new Map(pb.playbooks.map((p) => [p.id, p]));
  const allowed = api.current()?.user?.facilities;
  const mine = (f) => !allowed || allowed.includes('*') || allowed.includes(f.id);
  state.facilities = new Map(fac.facilities.filter(mine).map((f) => [f.id, f]));
  const form = $('trigger');
  replace(form.type, ...[...state.playbooks.values()].sort((a, b) => a.name.localeCompare(b.name))
    .map((p) => h('option', { value: p.id }, `${p.name} (${p.severity})`)));
  replace(form.facilityId, ...[...state.facilities.values()].map((f) => h('option', { value: f.id }, f.name)));
}

// ---------------------------------------------------------------- the live stream

function onSnapshot(msg, resumed) {
  if (state.playbooks.size === 0) loadReference().then(() => loadBoards()).catch(() => {}); // failed at sign-in
  state.incidents = new Map(msg.incidents.map((i) => [i.id, i]));
  if (msg.sms) setSms(Boolean(msg.sms.degraded), null, msg.sms.reason || '');
  renderIncidents();
  if (!state.selectedId) selectFromHash() || selectFirst();
  if (resumed) {
    // Missed events follow; these reads also bring back what only time changes (overdue values).
    scheduleDetail();
    loadBoards();
  }
}

function onEvent(e) {
  log(e);
  const p = e.payload || {};
  if (p.incident && p.incident.id) {
    if (p.incident.status === 'active') state.incidents.set(p.incident.id, p.incident);
    else state.incidents.delete(p.incident.id);
    renderIncidents();
    if (!state.selectedId && p.incident.status === 'active') select(p.incident.id);
  }
  if (e.type === 'sms.degraded') setSms(true, e.at, p.reason);
  if (e.type === 'sms.recovered') setSms(false, e.at, p.reason);
  if (e.type.startsWith('readiness.') || e.type.startsWith('reminder.')) scheduleBoards(p.facilityId);
  if (e.incidentId && e.incidentId === state.selectedId) scheduleDetail();
}

function log(e) {
  const list = $('events');
  const ref = e.incidentId ? (state.incidents.get(e.incidentId)?.ref || (state.detail?.id === e.incidentId ? state.detail.ref : '')) : '';
  list.prepend(h('li', { dataset: { seq: e.seq, type: e.type } },
    h('span', { class: 'seq' }, `#${e.seq}`), ' ', h('time', { datetime: e.at }, clockTime(e.at)), ' ',
    ref ? h('strong', {}, ref) : null, ref ? ' ' : null, describe(e, names)));
  while (list.children.length > MAX_LOG) list.lastElementChild.remove();
  $('last-seq').textContent = `(last #${e.seq})`;
}

function setConn(s) {
  state.conn = s;
  const el = $('conn');
  el.dataset.state = s.state;
  const text = {
    connecting: 'Connecting…',
    'catching-up': 'Catching up…',
    live: 'Live',
    reconnecting: 'Disconnected — reconnecting…',
    stopped: 'Not connected',
    'signed-out': 'Signed out',
  }[s.state] || s.state;
  el.textContent = text;
  document.body.classList.toggle('stale', s.state === 'reconnecting' || s.state === 'catching-up');
  if (s.state === 'live') hideError();
  renderStale();
  if (state.detail) rerenderDetail();
}

function renderStale() {
  const banner = $('stale-banner');
  const s = state.conn;
  if (s.state === 'reconnecting' && s.since) {
    // The sentence is announced once (role=alert); the running count beside it is not.
    const text = `Live updates interrupted at ${clockTime(new Date(s.since).toISOString())}: `
      + 'what you see may be out of date. Reconnecting… ';
    const count = `(${duration((Date.now() - s.since) / 1000)} ago${s.attempt > 1 ? `, attempt ${s.attempt}` : ''})`;
    if (banner.dataset.text !== text) {
      banner.dataset.text = text;
      replace(banner, text, h('span', { 'aria-hidden': 'true', class: 'count' }, count));
    } else {
      banner.lastElementChild.textContent = count;
    }
    banner.hidden = false;
  } else if (s.state === 'reconnecting') {
    setBanner(banner, 'Connecting to the live stream…');
  } else if (s.state === 'catching-up') {
    setBanner(banner, `Reconnected: catching up on ${s.missed || 'the'} missed updates…`);
  } else {
    banner.hidden = true;
    delete banner.dataset.text;
  }
}

function setBanner(banner, text) {
  banner.dataset.text = text;
  banner.textContent = text;
  banner.hidden = false;
}

function setSms(degraded, at, reason) {
  state.sms = { degraded, at: at || state.sms.at, reason };
  const banner = $('sms-banner');
  banner.hidden = !degraded;
  if (degraded) {
    banner.textContent = `SMS DEGRADED${at ? ` since ${clockTime(at)}` : ''}: texts to staff are delayed or failing`
      + `${reason ? ` (${reason})` : ''}. Muster keeps retrying; use phone or overhead paging for anything urgent.`;
  }
}

function showError(text) {
  const b = $('error-banner');
  b.textContent = text;
  b.hidden = false;
}

function hideError() {
  $('error-banner').hidden = true;
}

// ---------------------------------------------------------------- incidents

function renderIncidents() {
  const active = [...state.incidents.values()];
  renderList($('incidents'), active, state.selectedId, names, (id) => select(id, true));
  $('no-incidents').hidden = active.length > 0;
  $('active-count').textContent = active.length ? `(${active.length})` : '';
}

function selectFromHash() {
  const m = /^#incident\/([\w-]{1,36})$/.exec(location.hash);
  if (m && m[1] !== state.selectedId) {
    select(m[1]);
    return true;
  }
  return false;
}

function selectFirst() {
  const first = $('incidents').querySelector('button[data-id]');
  if (first) select(first.dataset.id);
}

function select(id, byUser = false) {
  if (state.selectedId !== id) {
    state.selectedId = id;
    state.detail = null;
    state.detailMessage = null;
    resetDetailUi();
    if (location.hash !== `#incident/${id}`) history.replaceState(null, '', `#incident/${id}`);
    $('detail-body').hidden = true;
    $('detail-empty').hidden = false;
    $('detail-empty').textContent = 'Loading…';
  }
  renderIncidents();
  loadDetail();
  if (byUser && window.matchMedia('(max-width: 900px)').matches) $('detail').scrollIntoView({ block: 'start' });
}

let detailTimer = null;
let detailLoading = false;
let detailAgain = false;

function scheduleDetail() {
  clearTimeout(detailTimer);
  detailTimer = setTimeout(loadDetail, 150);
}

async function loadDetail() {
  const id = state.selectedId;
  if (!id) return;
  if (detailLoading) {
    detailAgain = true;
    return;
  }
  detailLoading = true;
  try {
    const d = await api.api(`/api/v1/incidents/${encodeURIComponent(id)}`);
    if (id === state.selectedId) {
      state.detail = d;
      state.detailAt = new Date(now()).toISOString();
      rerenderDetail();
    }
  } catch (e) {
    if (e instanceof api.Unauthorized) return;
    if (id === state.selectedId) {
      if (!state.detail) $('detail-empty').textContent = `Could not load the incident: ${e.message}`;
      else flash(`Could not refresh: ${e.message}`, true);
    }
  } finally {
    detailLoading = false;
    if (detailAgain) {
      detailAgain = false;
      scheduleDetail();
    }
  }
}

function rerenderDetail() {
  const d = state.detail;
  if (!d) return;
  $('detail-empty').hidden = true;
  const body = $('detail-body');
  body.hidden = false;
  renderDetail(body, d, {
    names,
    can: api.can,
    stale: state.conn.state !== 'live',
    fetchedAt: state.detailAt,
    message: state.detailMessage,
    rerender: rerenderDetail,
    onResolve: () => act(`/api/v1/incidents/${encodeURIComponent(d.id)}/resolve`, `${d.ref} resolved; the all-clear is on its way.`),
    onComplete: (taskId) => act(`/api/v1/incidents/${encodeURIComponent(d.id)}/tasks/${encodeURIComponent(taskId)}/complete`,
      'Task completed.'),
  });
}

async function act(path, done) {
  try {
    await api.api(path, { method: 'POST' });
    flash(done, false);
  } catch (e) {
    if (!(e instanceof api.Unauthorized)) flash(`Refused: ${e.message}`, true);
  }
  loadDetail();
}

function flash(text, error) {
  state.detailMessage = { text, error };
  rerenderDetail();
}

// ---------------------------------------------------------------- trigger

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

let triggerKey = null;
let confirmReal = false;

function resetTriggerKey() {
  triggerKey = null;
  if (confirmReal) {
    confirmReal = false;
    $('t-warning').hidden = true;
    $('t-submit').textContent = 'Trigger';
  }
}

async function trigger(ev) {
  ev.preventDefault();
  const form = ev.target;
  const result = $('trigger-result');
  const summary = form.summary.value.trim();
  if (!summary) {
    result.textContent = 'Write a short summary of what happened.';
    form.summary.focus();
    return;
  }
  const drill = form.drill.checked;
  if (!drill && !confirmReal) {
    confirmReal = true;
    $('t-warning').hidden = false;
    $('t-submit').textContent = 'Confirm: page staff for real';
    return;
  }
  const body = { type: form.type.value, facilityId: form.facilityId.value, summary, drill };
  if (form.severity.value) body.severity = form.severity.value;
  triggerKey = triggerKey || uuid(); // a retry after a network failure must not page anyone twice
  $('t-submit').disabled = true;
  result.textContent = 'Triggering…';
  try {
    const incident = await api.api('/api/v1/incidents', { method: 'POST', body, headers: { 'Idempotency-Key': triggerKey } });
    result.textContent = `Triggered ${incident.ref}${incident.drill ? ' (drill)' : ''}: ${names.playbook(incident.type)} at ${names.facility(incident.facilityId)}.`;
    form.summary.value = '';
    resetTriggerKey();
    state.incidents.set(incident.id, incident);
    select(incident.id, true);
  } catch (e) {
    if (e instanceof api.Unauthorized) return;
    result.textContent = e.status === 0 ? `${e.message} Press Trigger again: it will not page anyone twice.` : `Refused: ${e.message}`;
    if (e.status !== 0) resetTriggerKey();
  } finally {
    $('t-submit').disabled = false;
  }
}

// ---------------------------------------------------------------- readiness

const boardTimers = new Map();

function scheduleBoards(facilityId) {
  const key = facilityId && state.facilities.has(facilityId) ? facilityId : '*';
  clearTimeout(boardTimers.get(key));
  boardTimers.set(key, setTimeout(() => {
    boardTimers.delete(key);
    loadBoards(key === '*' ? undefined : [key]);
  }, 150));
}

async function loadBoards(ids = [...state.facilities.keys()]) {
  await Promise.all(ids.map(async (id) => {
    try {
      const board = await api.api(`/api/v1/facilities/${encodeURIComponent(id)}/readiness`);
      state.boards.set(id, { facilityId: id, board });
    } catch (e) {
      if (e instanceof api.Unauthorized) return;
      if (e.status === 403 || e.status === 404) state.boards.delete(id);
      else if (!state.boards.get(id)?.board) state.boards.set(id, { facilityId: id, name: names.facility(id), error: e.message });
    }
  }));
  if (!api.current()) return;
  renderBoard($('readiness'), [...state.facilities.keys()].filter((id) => state.boards.has(id)).map((id) => state.boards.get(id)), {
    canUpdate: api.can('updateReadiness'),
    onUpdate: async (id, patch) => {
      await api.api(`/api/v1/facilities/${encodeURIComponent(id)}/readiness`, { method: 'PATCH', body: patch });
      scheduleBoards(id);
      return `Saved at ${clockTime(new Date(now()).toISOString())}.`;
    },
  });
}

// ---------------------------------------------------------------- every second

let ticks = 0;

function tick() {
  ticks += 1;
  for (const el of document.querySelectorAll('[data-age]')) {
    el.textContent = duration((now() - Date.parse(el.dataset.age)) / 1000);
  }
  for (const el of document.querySelectorAll('[data-due]')) {
    el.textContent = dueText(el.dataset.due);
  }
  for (const el of document.querySelectorAll('[data-due-badge]')) {
    if (Date.parse(el.dataset.dueBadge) < now() && !el.closest('.task').classList.contains('overdue')) {
      el.closest('.task').classList.add('overdue');
      replace(el, h('span', { class: 'badge bad' }, 'OVERDUE'));
    }
  }
  if (state.conn.state === 'reconnecting') renderStale();
  if (state.conn.state === 'live' && ticks % 60 === 0) {
    loadBoards(); // overdue readiness values change with time alone
    loadDetail();
  }
}

boot();
