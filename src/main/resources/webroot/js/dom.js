// Small DOM and formatting helpers. Text goes in with textContent only: nothing from the server is
// ever parsed as HTML, and nothing here needs inline styles or eval (the page runs under a strict CSP).

export const $ = (id) => document.getElementById(id);

/**
 * h('li', {class: 'x', dataset: {seq: 3}, onclick: fn, 'aria-label': 'y'}, 'text', childNode)
 * Attributes whose value is null, undefined or false are left out; true gives an empty attribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'text') el.textContent = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/**
 * Replaces a container's children and gives the focus back to the element with the same
 * data-focus-key, so a live re-render never throws a keyboard user out of the list.
 */
export function replace(container, ...children) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.focusKey : undefined;
  container.replaceChildren();
  append(container, children);
  if (key !== undefined) {
    const again = container.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (again) again.focus({ preventScroll: true });
  }
}

// ---- time: the server's clock, estimated from the Date header of its answers ----

let offsetMs = 0;

export function noteServerDate(header) {
  const server = Date.parse(header || '');
  if (Number.isNaN(server)) return;
  const estimate = server + 500 - Date.now(); // the header has whole seconds
  if (Math.abs(estimate - offsetMs) > 1500) offsetMs = estimate;
}

export const now = () => Date.now() + offsetMs;

export function clockTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function shortTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
}

export function dateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const sameDay = new Date(now()).toDateString() === d.toDateString();
  return sameDay ? clockTime(iso) : `${d.toLocaleDateString()} ${clockTime(iso)}`;
}

/** 42 s, 5 min, 2 h 05 min, 3 d 4 h */
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return `${hours} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Words for ids: "incident-commander" → "Incident commander". */
export function words(id) {
  if (!id) return '';
  const text = String(id).replace(/[-_]/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A badge: its text says what the colour says. */
export function badge(text, kind, title) {
  return h('span', { class: `badge ${kind || ''}`.trim(), title }, text);
}
