// The coordinator dashboard: the live stream over /ws/live, resumed with ?since= after a drop.
const $ = (id) => document.getElementById(id);
const incidents = new Map();
let lastSeq = null;

async function getJson(path) {
  const res = await fetch(path);
  return res.json();
}

async function fillForm() {
  const [pb, fac] = await Promise.all([getJson('/api/v1/playbooks'), getJson('/api/v1/facilities')]);
  const form = $('trigger');
  for (const p of pb.playbooks) form.type.add(new Option(p.name, p.id));
  for (const f of fac.facilities) form.facilityId.add(new Option(f.name, f.id));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { type: form.type.value, facilityId: form.facilityId.value,
      summary: form.summary.value, drill: form.drill.checked };
    if (form.severity.value) body.severity = form.severity.value;
    const res = await fetch('/api/v1/incidents', { method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      body: JSON.stringify(body) });
    const json = await res.json();
    $('trigger-result').textContent = res.ok ? `Triggered ${json.ref}` : `Refused: ${json.error.message}`;
  });
}

function renderIncidents() {
  const list = $('incidents');
  list.replaceChildren();
  for (const i of incidents.values()) {
    if (i.status !== 'active') continue;
    const li = document.createElement('li');
    li.textContent = `[${i.ref}] ${i.type} at ${i.facilityId} (${i.severity}) — ${i.summary} `;
    if (i.drill) { const b = document.createElement('span'); b.className = 'drill'; b.textContent = 'DRILL'; li.append(b); }
    const resolve = document.createElement('button');
    resolve.textContent = 'Resolve';
    resolve.onclick = () => fetch(`/api/v1/incidents/${i.id}/resolve`, { method: 'POST' });
    li.append(' ', resolve);
    list.append(li);
  }
}

function onEvent(e) {
  lastSeq = e.seq;
  if (e.payload.incident) { incidents.set(e.payload.incident.id, e.payload.incident); renderIncidents(); }
  const li = document.createElement('li');
  const who = e.payload.staffName ? ` ${e.payload.staffName}` : '';
  const status = e.payload.status ? ` → ${e.payload.status}` : '';
  li.textContent = `#${e.seq} ${e.at.substring(11, 19)} ${e.type}${who}${status}`;
  $('events').prepend(li);
}

function connect() {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${proto}://${location.host}/ws/live${lastSeq === null ? '' : `?since=${lastSeq}`}`);
  ws.onopen = () => { $('conn').textContent = 'live'; $('conn').classList.add('up'); };
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.kind === 'snapshot') {
      incidents.clear();
      for (const i of msg.incidents) incidents.set(i.id, i);
      if (lastSeq === null) lastSeq = msg.seq;
      renderIncidents();
    } else {
      onEvent(msg);
    }
  };
  ws.onclose = () => {
    $('conn').textContent = 'disconnected — reconnecting…';
    $('conn').classList.remove('up');
    setTimeout(connect, 1000);
  };
}

fillForm();
connect();
