// The active-incident list and one incident's detail: pages with delivery and acknowledgement,
// rollcall tallies with a chart, HICS positions, tasks by phase, playbook steps, the timeline.
import { h, badge, replace, words, duration, clockTime, shortTime, dateTime, now } from './dom.js';
import { describe, isDeliveryNoise } from './events.js';
import { rollcallChart, destroyCharts } from './chart.js';

const SEVERITY_RANK = { critical: 4, high: 3, moderate: 2, low: 1 };
const PHASES = ['immediate', 'intermediate', 'extended', 'demobilization'];
const ui = { showDelivery: false, confirmResolve: false };

export const severityBadge = (s) => badge((s || 'unknown').toUpperCase(), `sev-${s}`, 'Severity');
export const drillBadge = () => badge('DRILL', 'drill', 'A drill: the texts say DRILL');

export function sortIncidents(list) {
  return [...list].sort((a, b) => (SEVERITY_RANK[b.severity] || 0) - (SEVERITY_RANK[a.severity] || 0)
    || String(b.triggeredAt).localeCompare(String(a.triggeredAt)));
}

/** The active incidents as a list of buttons; the selected one is pressed. */
export function renderList(container, incidents, selectedId, names, onSelect) {
  const items = sortIncidents(incidents).map((i) => h('li', {},
    h('button', {
      type: 'button', class: `incident sev-${i.severity}`, 'aria-pressed': String(i.id === selectedId),
      dataset: { focusKey: i.id, id: i.id, ref: i.ref }, onclick: () => onSelect(i.id),
    },
    h('span', { class: 'line1' }, h('strong', { class: 'ref' }, i.ref), ' ', severityBadge(i.severity), ' ',
      i.drill ? drillBadge() : null),
    h('span', { class: 'line2' }, names.playbook(i.type)),
    h('span', { class: 'line3' }, names.facility(i.facilityId), ' · ',
      h('span', {}, 'age ', h('span', { dataset: { age: i.triggeredAt } }, duration((now() - Date.parse(i.triggeredAt)) / 1000)))),
    h('span', { class: 'summary' }, i.summary))));
  replace(container, ...items);
}

/** Resets per-incident view choices when another incident is selected. */
export function resetDetailUi() {
  ui.confirmResolve = false;
}

/**
 * ctx: {names, can(action), onResolve(), onComplete(taskId), fetchedAt, stale, message}
 */
export function renderDetail(container, d, ctx) {
  const scrolls = new Map([...container.querySelectorAll('[data-scroll-key]')].map((el) => [el.dataset.scrollKey, el.scrollTop]));
  destroyCharts();
  replace(container,
    header(d, ctx),
    h('div', { class: 'detail-grid' },
      pages(d),
      rollcalls(d),
      positions(d),
      steps(d),
      tasks(d, ctx),
      timeline(d, ctx)));
  for (const el of container.querySelectorAll('[data-scroll-key]')) {
    if (scrolls.has(el.dataset.scrollKey)) el.scrollTop = scrolls.get(el.dataset.scrollKey);
  }
}

function header(d, ctx) {
  const active = d.status === 'active';
  const actions = h('div', { class: 'actions' });
  if (active && ctx.can('resolve')) {
    if (ui.confirmResolve) {
      actions.append(
        h('button', { type: 'button', class: 'danger', dataset: { focusKey: 'resolve-confirm' },
          onclick: () => { ui.confirmResolve = false; ctx.onResolve(); } }, 'Confirm: resolve and send the all-clear'),
        h('button', { type: 'button', class: 'quiet', dataset: { focusKey: 'resolve-cancel' },
          onclick: () => { ui.confirmResolve = false; ctx.rerender(); focusKey('resolve'); } }, 'Cancel'));
    } else {
      actions.append(h('button', { type: 'button', class: 'danger-outline', dataset: { focusKey: 'resolve' },
        onclick: () => { ui.confirmResolve = true; ctx.rerender(); focusKey('resolve-confirm'); } }, 'Resolve…'));
    }
  }
  return h('div', { class: 'detail-head' },
    h('h3', { id: 'detail-title' }, h('span', { class: 'ref' }, d.ref), ' ', ctx.names.playbook(d.type), ' ',
      severityBadge(d.severity), ' ', d.drill ? drillBadge() : null, ' ',
      active ? badge('ACTIVE', 'active') : badge('RESOLVED', 'resolved')),
    h('p', { class: 'summary' }, d.summary),
    h('p', { class: 'meta' },
      ctx.names.facility(d.facilityId), ' · triggered ', dateTime(d.triggeredAt), ' by ', d.triggeredBy,
      active ? [' · age ', h('span', { dataset: { age: d.triggeredAt } }, duration((now() - Date.parse(d.triggeredAt)) / 1000))]
        : [' · resolved ', dateTime(d.resolvedAt), ' by ', d.resolvedBy || '—']),
    h('p', { class: `freshness${ctx.stale ? ' is-stale' : ''}` },
      ctx.stale ? `Shown as of ${clockTime(ctx.fetchedAt)} — may be out of date` : `Updated ${clockTime(ctx.fetchedAt)}`),
    ctx.message ? h('p', { class: `result ${ctx.message.error ? 'error-text' : ''}`, role: 'status' }, ctx.message.text) : null,
    actions);
}

function focusKey(key) {
  const el = document.querySelector(`[data-focus-key="${key}"]`);
  if (el) el.focus();
}

function section(title, key, ...body) {
  return h('section', { class: `card ${key}`, 'aria-label': title }, h('h4', {}, title), ...body);
}

const DELIVERY = {
  queued: ['Queued', 'pending'], sending: ['Sending', 'pending'], sent: ['Sent', 'info'],
  delivered: ['Delivered', 'ok'], undelivered: ['UNDELIVERED', 'bad'], failed: ['FAILED', 'bad'],
};

/**
 * One row per person and kind of message: a page repeated or escalated to the same person is one
 * line ("Page ×3") with the newest delivery state and the acknowledgement, if any; the time to
 * acknowledge counts from the first page.
 */
function groupMessages(list) {
  const groups = new Map();
  for (const n of list) {
    const key = `${n.staffId}|${n.kind}`;
    const g = groups.get(key) || { staffId: n.staffId, staffName: n.staffName, kind: n.kind, all: [] };
    g.all.push(n);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    const byTime = [...g.all].sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
    const latest = byTime[byTime.length - 1];
    const ackedOne = byTime.find((n) => n.ackedAt);
    return { ...g, latest, first: byTime[0], requiresAck: g.all.some((n) => n.requiresAck), acked: ackedOne,
      attempts: g.all.reduce((s, n) => s + (n.attempts || 0), 0) };
  });
}

function pages(d) {
  const list = d.notifications || [];
  const groups = groupMessages(list);
  const needAck = groups.filter((g) => g.requiresAck);
  const acked = needAck.filter((g) => g.acked);
  const delivered = list.filter((n) => n.status === 'delivered').length;
  const failed = list.filter((n) => n.status === 'failed' || n.status === 'undelivered').length;
  const order = (g) => (g.requiresAck ? (g.acked ? 1 : 0) : 2);
  const rows = groups.sort((a, b) => order(a) - order(b) || String(a.staffName).localeCompare(String(b.staffName)))
    .map((g) => {
      const n = g.latest;
      const [text, kind] = DELIVERY[n.status] || [n.status, 'info'];
      let ackCell;
      if (g.acked) {
        ackCell = h('td', { class: 'ack ok' }, badge('Acknowledged', 'ok'), ' ', clockTime(g.acked.ackedAt),
          h('span', { class: 'ttk' }, ` after ${duration((Date.parse(g.acked.ackedAt) - Date.parse(g.first.createdAt)) / 1000)}`));
      } else if (g.requiresAck) {
        ackCell = h('td', { class: 'ack waiting' }, badge('Awaiting ack', 'pending'), ' ',
          h('span', { class: 'muted' }, 'for ', h('span', { dataset: { age: g.first.createdAt } }, duration((now() - Date.parse(g.first.createdAt)) / 1000))));
      } else {
        ackCell = h('td', { class: 'ack muted' }, 'no ack asked');
      }
      return h('tr', { dataset: { staff: g.staffId, status: n.status } },
        h('th', { scope: 'row' }, g.staffName || g.staffId),
        h('td', {}, words(g.kind), g.all.length > 1 ? h('span', { class: 'muted' }, ` ×${g.all.length}`) : null),
        h('td', {}, badge(text, kind), n.errorCode && kind === 'bad' ? h('span', { class: 'muted' }, ` error ${n.errorCode}`) : null,
          g.attempts > g.all.length ? h('span', { class: 'muted' }, ` (${g.attempts} tries)`) : null),
        ackCell);
    });
  return section('Pages and acknowledgements', 'pages',
    h('p', { class: 'tally-line' },
      h('strong', {}, `${acked.length} of ${needAck.length}`), ' people acknowledged · ',
      `${list.length} messages, ${delivered} delivered`,
      failed ? [' · ', badge(`${failed} not delivered`, 'bad')] : null),
    list.length === 0 ? h('p', { class: 'muted' }, 'No messages yet.') :
      h('div', { class: 'table-wrap', dataset: { scrollKey: 'pages' } },
        h('table', {},
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Person'), h('th', { scope: 'col' }, 'Message'),
            h('th', { scope: 'col' }, 'Delivery'), h('th', { scope: 'col' }, 'Acknowledgement'))),
          h('tbody', {}, rows))));
}

function rollcalls(d) {
  const run = d.run || {};
  const list = run.rollcalls || [];
  if (list.length === 0) return null;
  const timeline = d.timeline || [];
  return section('Rollcall', 'rollcalls', list.map((r) => {
    const started = timeline.find((e) => e.type === 'rollcall.started' && e.payload.stepId === r.stepId);
    const points = [{ at: Date.parse(started ? started.at : d.triggeredAt) / 1000, tally: 0 }];
    for (const e of timeline) {
      if (e.type === 'rollcall.answered' && e.payload.stepId === r.stepId) {
        points.push({ at: Date.parse(e.at) / 1000, tally: e.payload.tally });
      }
    }
    const met = r.tally >= r.need;
    const yes = (r.answers || []).filter((a) => a.yes);
    const no = (r.answers || []).filter((a) => !a.yes);
    return h('div', { class: 'rollcall', dataset: { step: r.stepId } },
      h('p', { class: 'tally-line' }, h('strong', {}, words(r.stepId)), ': ',
        h('strong', { class: 'tally' }, `${r.tally} of ${r.need}`), ' yes · ',
        met ? badge('NEED MET', 'ok') : badge(`${r.need - r.tally} MORE NEEDED`, 'pending'), ' ',
        r.status === 'closed' ? badge('CLOSED', 'muted') : null),
      h('meter', { min: 0, max: r.need, value: Math.min(r.tally, r.need), 'aria-label': `${r.tally} of ${r.need} needed` }),
      rollcallChart(points, r.need, now() / 1000, `Yes answers over time for ${words(r.stepId)}: ${r.tally} of ${r.need}`),
      h('p', { class: 'answers' },
        yes.length ? [h('strong', {}, 'Yes: '), yes.map((a) => `${a.staffName} (${a.choice})`).join(', ')] : h('span', { class: 'muted' }, 'No yes answers yet.'),
        no.length ? [h('br'), h('strong', {}, 'No: '), no.map((a) => a.staffName).join(', ')] : null));
  }));
}

function positions(d) {
  const filled = (d.run && d.run.positions) || [];
  const unfilled = (d.timeline || []).filter((e) => e.type === 'position.unfilled')
    .map((e) => e.payload.position).filter((p) => !filled.some((f) => f.position === p));
  if (filled.length === 0 && unfilled.length === 0) return null;
  return section('HICS positions', 'positions',
    h('table', {}, h('tbody', {},
      filled.map((p) => h('tr', {}, h('th', { scope: 'row' }, words(p.position)), h('td', {}, p.staffName || p.staffId))),
      unfilled.map((p) => h('tr', { class: 'unfilled' }, h('th', { scope: 'row' }, words(p)), h('td', {}, badge('UNFILLED', 'bad')))))));
}

const STEP_STATUS = { started: 'info', acknowledged: 'ok', done: 'ok', 'need-met': 'ok', closed: 'muted',
  skipped: 'muted', unanswered: 'bad' };

function steps(d) {
  const list = (d.run && d.run.steps) || [];
  if (list.length === 0) return null;
  return section('Playbook steps', 'steps', h('ol', { class: 'steps' }, list.map((s) => h('li', {},
    words(s.stepId), ' ', badge(words(s.status || 'pending').toUpperCase(), STEP_STATUS[s.status] || 'muted'),
    s.level > 0 ? h('span', { class: 'muted' }, ` escalated to level ${s.level}`) : null))));
}

function tasks(d, ctx) {
  const list = (d.run && d.run.tasks) || [];
  if (list.length === 0) return null;
  const open = list.filter((t) => t.status !== 'done').length;
  const groups = PHASES.concat([...new Set(list.map((t) => t.phase))].filter((p) => !PHASES.includes(p)))
    .map((phase) => [phase, list.filter((t) => t.phase === phase)]).filter(([, ts]) => ts.length);
  const canComplete = d.status === 'active' && ctx.can('completeTask');
  return section('Tasks', 'tasks',
    h('p', { class: 'tally-line' }, h('strong', {}, `${open} open`), ` of ${list.length}`),
    groups.map(([phase, ts]) => h('div', { class: 'phase' },
      h('h5', {}, words(phase)),
      h('ul', { class: 'tasks' }, ts.map((t) => task(t, ctx, canComplete))))));
}

function task(t, ctx, canComplete) {
  const done = t.status === 'done';
  const overdue = !done && (t.overdue || Date.parse(t.dueAt) < now());
  return h('li', { class: `task${done ? ' done' : ''}${overdue ? ' overdue' : ''}`, dataset: { task: t.taskId } },
    h('div', { class: 'task-head' },
      done ? badge('DONE', 'ok') : h('span', { dataset: { dueBadge: t.dueAt } }, overdue ? badge('OVERDUE', 'bad') : badge('OPEN', 'info')),
      ' ', h('span', { class: 'task-text' }, t.do || words(t.taskId))),
    h('div', { class: 'task-meta' },
      words(t.owner), t.staffName ? ` — ${t.staffName}` : ' — nobody holds this role', ' · due ', shortTime(t.dueAt),
      done ? null : [' (', h('span', { dataset: { due: t.dueAt } }, dueText(t.dueAt)), ')'],
      canComplete && !done ? [' ', h('button', { type: 'button', class: 'small', dataset: { focusKey: `task-${t.taskId}` },
        'aria-label': `Complete task: ${t.do || t.taskId}`, onclick: (ev) => { ev.target.disabled = true; ctx.onComplete(t.taskId); } },
      'Complete')] : null));
}

export function dueText(iso) {
  const s = (Date.parse(iso) - now()) / 1000;
  return s >= 0 ? `in ${duration(s)}` : `overdue by ${duration(-s)}`;
}

function timeline(d, ctx) {
  const all = [...(d.timeline || [])].reverse();
  const shown = ui.showDelivery ? all : all.filter((e) => !isDeliveryNoise(e));
  const toggle = h('label', { class: 'check' },
    h('input', { type: 'checkbox', checked: ui.showDelivery, dataset: { focusKey: 'timeline-toggle' },
      onchange: (ev) => { ui.showDelivery = ev.target.checked; ctx.rerender(); } }),
    ` Show delivery updates (${all.length - all.filter((e) => !isDeliveryNoise(e)).length})`);
  return section('Timeline', 'timeline', toggle,
    h('ol', { class: 'timeline', dataset: { scrollKey: 'timeline' } }, shown.map((e) => h('li', {
      class: /OVERDUE|UNANSWERED|UNFILLED|FAILED|DEGRADED/.test(describe(e, ctx.names)) ? 'alert' : null,
      dataset: { seq: e.seq, type: e.type } },
    h('time', { datetime: e.at }, clockTime(e.at)), ' ', describe(e, ctx.names)))));
}
