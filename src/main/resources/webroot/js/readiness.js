// The facility readiness board: staffed beds by type, ED / EMS / facility status, critical
// systems, supplies. Values past their reporting interval are marked OVERDUE, in words and colour.
import { h, badge, replace, words, dateTime, duration, now } from './dom.js';

const BEDS = {
  'adult-icu': 'Adult ICU', 'medical-surgical': 'Medical/surgical', burn: 'Burn', 'pediatric-icu': 'Pediatric ICU',
  pediatrics: 'Pediatrics', psychiatric: 'Psychiatric', 'negative-pressure-isolation': 'Negative-pressure isolation',
  'operating-rooms': 'Operating rooms', ventilators: 'Ventilators',
};
const SYSTEMS = ['power', 'water', 'hvac', 'medical-gases', 'ehr', 'communications'];
const ED = ['normal', 'advisory', 'diversion', 'closed', 'mass-casualty'];
const EMS = ['open', 'advisory', 'closed'];
const FACILITY = ['normal', 'limited', 'evacuating', 'closed'];
const TONE = {
  normal: 'ok', open: 'ok', up: 'ok', advisory: 'pending', limited: 'pending', degraded: 'pending',
  diversion: 'bad', closed: 'bad', 'mass-casualty': 'bad', evacuating: 'bad', down: 'bad',
};
// The update forms survive the board's live re-renders (same nodes), so typing is never lost.
const forms = new Map();

export function resetBoard() {
  forms.clear();
}

export const bedLabel = (type) => BEDS[type] || words(type);

/**
 * boards: [{facilityId, board | error}], ctx: {canUpdate, onUpdate(facilityId, patch) → Promise<string>}
 */
export function renderBoard(container, boards, ctx) {
  if (boards.length === 0) {
    replace(container, h('p', { class: 'muted' }, 'No facilities to show.'));
    return;
  }
  replace(container, ...boards.map(({ facilityId, name, board, error }) => (board
    ? facility(board, ctx) : h('article', { class: 'facility' }, h('h3', {}, name || facilityId),
      h('p', { class: 'error-text' }, error || 'Not available.')))));
}

function facility(b, ctx) {
  const overdue = countOverdue(b);
  return h('article', { class: `facility${overdue ? ' has-overdue' : ''}`, dataset: { facility: b.facilityId },
    'aria-label': b.facilityName },
  h('h3', {}, b.facilityName, ' ', h('span', { class: 'muted small-text' }, words(b.facilityType)),
    overdue ? [' ', badge(`${overdue} OVERDUE`, 'bad')] : null),
  h('div', { class: 'statuses' },
    status('ED', b.edStatus, 'ed'), status('EMS traffic', b.emsTraffic, 'ems'), status('Facility', b.facilityStatus, 'facility')),
  beds(b),
  systems(b),
  supplies(b),
  h('p', { class: 'muted small-text' }, b.updatedAt ? ['Last change ', dateTime(b.updatedAt), ' (',
    h('span', { dataset: { age: b.updatedAt } }, duration((now() - Date.parse(b.updatedAt)) / 1000)), ' ago)'] : 'Nothing reported yet.'),
  ctx.canUpdate ? updateForm(b, ctx) : null);
}

function countOverdue(b) {
  let n = [b.edStatus, b.emsTraffic, b.facilityStatus].filter((v) => v && v.overdue).length;
  n += Object.values(b.beds || {}).filter((v) => v.overdue).length;
  n += Object.values(b.systems || {}).filter((v) => v.overdue).length;
  return n;
}

function status(label, v, key) {
  const value = v ? v.value : null;
  return h('div', { class: `status${v && v.overdue ? ' overdue' : ''}`, dataset: { status: key } },
    h('span', { class: 'label' }, label),
    value ? badge(words(value).toUpperCase(), TONE[value] || 'info') : h('span', { class: 'muted' }, 'not reported'),
    v && v.overdue ? badge('OVERDUE', 'bad', `Set ${dateTime(v.setAt)} by ${v.setBy}`) : null,
    v ? h('span', { class: 'muted small-text who' }, `${v.setBy}, ${dateTime(v.setAt)}`) : null);
}

function beds(b) {
  const entries = Object.entries(b.beds || {});
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No beds reported.');
  const staffed = entries.reduce((sum, [, v]) => sum + (v.staffedAvailable || 0), 0);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'beds' },
    h('caption', {}, 'Staffed beds available: ', h('strong', { class: 'big-number' }, String(staffed))),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col', class: 'num' }, 'Staffed'),
      h('th', { scope: 'col', class: 'num' }, 'Free'),
      h('th', { scope: 'col', class: 'num', title: 'Occupied of baseline' }, 'In use'),
      h('th', { scope: 'col', class: 'num', title: 'Nurses on shift (+ arrived from the rollcall)' }, 'RNs'))),
    h('tbody', {}, entries.map(([type, v]) => h('tr', { class: v.overdue ? 'overdue' : null, dataset: { bed: type },
      title: `Reported ${dateTime(v.setAt)} by ${v.setBy}` },
      h('th', { scope: 'row' }, bedLabel(type), v.overdue ? [' ', badge('OVERDUE', 'bad')] : null),
      h('td', { class: 'num strong' }, String(v.staffedAvailable)),
      h('td', { class: 'num' }, String(v.available)),
      h('td', { class: 'num' }, `${v.occupied}/${v.baseline}`),
      h('td', { class: 'num' }, `${v.nursesOnShift}${v.nursesArrived ? ` +${v.nursesArrived}` : ''}${v.nursesExpected ? ` (+${v.nursesExpected} coming)` : ''}`))))));
}

function systems(b) {
  const entries = Object.entries(b.systems || {});
  if (entries.length === 0) return null;
  return h('ul', { class: 'systems', 'aria-label': 'Critical systems' }, entries.map(([name, s]) => h('li', {
    class: s.overdue ? 'overdue' : null, dataset: { system: name } },
  h('span', { class: 'label' }, words(name === 'ehr' ? 'EHR' : name === 'hvac' ? 'HVAC' : name)), ' ',
  badge(String(s.state).toUpperCase(), TONE[s.state] || 'info'),
  s.note ? h('span', { class: 'muted' }, ` ${s.note}`) : null,
  s.overdue ? [' ', badge('OVERDUE', 'bad')] : null)));
}

function supplies(b) {
  const entries = Object.entries(b.supplies || {});
  if (entries.length === 0) return null;
  return h('p', { class: 'supplies' }, h('span', { class: 'label' }, 'Supplies: '),
    entries.map(([name, v], i) => [i ? ', ' : '', `${words(name)} ${v.value}`, v.overdue ? [' ', badge('OVERDUE', 'bad')] : null]));
}

function select(name, label, values, blank = '(no change)') {
  const id = `${name}-${Math.random().toString(36).slice(2, 8)}`;
  return [h('label', { for: id }, label),
    h('select', { id, name }, h('option', { value: '' }, blank), values.map((v) => h('option', { value: v }, words(v))))];
}

function number(name, label) {
  const id = `${name}-${Math.random().toString(36).slice(2, 8)}`;
  return [h('label', { for: id }, label), h('input', { id, name, type: 'number', min: 0, max: 100000, inputmode: 'numeric' })];
}

function updateForm(b, ctx) {
  if (forms.has(b.facilityId)) return forms.get(b.facilityId);
  const result = h('p', { class: 'result', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { class: 'readiness-form', novalidate: true },
    h('fieldset', {}, h('legend', {}, 'Status'),
      select('edStatus', 'ED status', ED), select('emsTraffic', 'EMS traffic', EMS), select('facilityStatus', 'Facility status', FACILITY)),
    h('fieldset', {}, h('legend', {}, 'Beds'),
      select('bedType', 'Bed type', Object.keys(BEDS), '(choose)'),
      number('occupied', 'Occupied'), number('baseline', 'Baseline'), number('nurses', 'Nurses on shift')),
    h('fieldset', {}, h('legend', {}, 'Critical system'),
      select('system', 'System', SYSTEMS, '(choose)'), select('state', 'State', ['up', 'degraded', 'down'], '(choose)'),
      [h('label', { for: `note-${b.facilityId}` }, 'Note'), h('input', { id: `note-${b.facilityId}`, name: 'note', maxlength: 200 })]),
    h('button', { type: 'submit' }, 'Save readiness'),
    result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const patch = toPatch(new FormData(form));
    if (typeof patch === 'string') {
      result.textContent = patch;
      return;
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    result.textContent = 'Saving…';
    try {
      const saved = await ctx.onUpdate(b.facilityId, patch);
      result.textContent = saved;
      summary.textContent = `Update readiness of ${b.facilityName} (${saved.replace(/\.$/, '').toLowerCase()})`;
      form.reset();
      details.open = false;
      summary.focus();
    } catch (e) {
      result.textContent = `Not saved: ${e.message}`;
    } finally {
      button.disabled = false;
    }
  });
  for (const control of form.elements) {
    control.dataset.focusKey = `${b.facilityId}-${control.name || control.type}`;
  }
  const summary = h('summary', { dataset: { focusKey: `${b.facilityId}-summary` } }, `Update readiness of ${b.facilityName}`);
  const details = h('details', { class: 'update' }, summary, form);
  forms.set(b.facilityId, details);
  return details;
}

/** The form as a PATCH body, or a sentence saying what is missing. */
export function toPatch(data) {
  const patch = {};
  for (const key of ['edStatus', 'emsTraffic', 'facilityStatus']) {
    if (data.get(key)) patch[key] = data.get(key);
  }
  const counts = {};
  for (const key of ['occupied', 'baseline', 'nurses']) {
    const v = data.get(key);
    if (v !== null && v !== '') counts[key] = Number(v);
  }
  if (Object.keys(counts).length) {
    if (!data.get('bedType')) return 'Choose the bed type the numbers are for.';
    patch.beds = { [data.get('bedType')]: counts };
  }
  if (data.get('system') || data.get('state') || data.get('note')) {
    if (!data.get('system') || !data.get('state')) return 'Choose the system and its state.';
    patch.systems = { [data.get('system')]: { state: data.get('state'), ...(data.get('note') ? { note: data.get('note') } : {}) } };
  }
  return Object.keys(patch).length ? patch : 'Nothing to save: choose at least one value.';
}
