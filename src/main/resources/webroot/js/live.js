// The live stream: /ws/live gives a snapshot, then every journal event in order. After a drop the
// page reconnects with since=<the last sequence it applied> and the server sends everything it
// missed. Each (re)connect takes a fresh single-use ticket. A health probe catches a connection
// that died without closing (a sleeping laptop, a dropped Wi-Fi), which the browser may not notice.
import { wsTicket, Unauthorized } from './api.js';

const BACKOFF_MS = [500, 1000, 2000, 4000, 5000];
const PROBE_EVERY_MS = 15000;
const PROBE_TIMEOUT_MS = 5000;

export class LiveStream {
  /**
   * handlers: onSnapshot(msg, resumed), onEvent(event), onState({state, attempt, since, missed}),
   * where state is connecting | catching-up | live | reconnecting | stopped.
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.lastSeq = null;
    this.ws = null;
    this.attempt = 0;
    this.stopped = true;
    this.downSince = null;
    this.retryTimer = null;
    this.probeTimer = null;
    this.history = []; // the last connections, for support: window.musterLive()
    window.musterLive = () => ({ state: this.current, lastSeq: this.lastSeq, connections: [...this.history] });
  }

  note(entry) {
    this.history.push({ at: new Date().toISOString(), ...entry });
    if (this.history.length > 20) this.history.shift();
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
    this.probeTimer = setInterval(() => this.probe(), PROBE_EVERY_MS);
    this.onOnline = () => this.reconnectNow();
    this.onVisible = () => { if (document.visibilityState === 'visible') this.probe(); };
    window.addEventListener('online', this.onOnline);
    document.addEventListener('visibilitychange', this.onVisible);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.probeTimer);
    window.removeEventListener('online', this.onOnline);
    document.removeEventListener('visibilitychange', this.onVisible);
    if (this.ws) this.ws.close(1000, 'signed out');
    this.ws = null;
    this.lastSeq = null;
    this.state('stopped');
  }

  state(state, extra = {}) {
    this.current = state;
    this.handlers.onState({ state, attempt: this.attempt, since: this.downSince, ...extra });
  }

  async connect() {
    if (this.stopped || this.connecting) return;
    this.connecting = true;
    if (this.ws) {
      const old = this.ws;
      this.ws = null;
      old.close();
    }
    this.state(this.downSince ? 'reconnecting' : 'connecting');
    let ticket;
    try {
      ticket = await wsTicket();
    } catch (e) {
      this.connecting = false;
      if (!(e instanceof Unauthorized)) this.retry(); // on 401 the login view takes over
      return;
    } finally {
      if (this.stopped) this.connecting = false;
    }
    if (this.stopped) return;
    this.connecting = false;
    const params = new URLSearchParams();
    if (ticket) params.set('ticket', ticket);
    if (this.lastSeq !== null) params.set('since', String(this.lastSeq));
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = params.toString();
    const ws = new WebSocket(`${proto}://${location.host}/ws/live${query ? `?${query}` : ''}`);
    this.ws = ws;
    ws.musterNote = { since: this.lastSeq, snapshot: null, events: 0 };
    this.note(ws.musterNote);
    ws.onmessage = (m) => this.receive(ws, m);
    ws.onclose = (e) => this.closed(ws, e.code);
    ws.onerror = () => {}; // onclose follows and says the rest
  }

  receive(ws, m) {
    if (ws !== this.ws) return;
    let msg;
    try {
      msg = JSON.parse(m.data);
    } catch {
      return;
    }
    if (msg.kind === 'snapshot') {
      ws.musterNote.snapshot = msg.seq;
      const resumed = this.lastSeq !== null;
      if (!resumed) this.lastSeq = msg.seq;
      this.attempt = 0;
      this.handlers.onSnapshot(msg, resumed);
      // The server says when this connection has everything (events are filtered per user, so the
      // page cannot tell from them).
      this.state('catching-up', { missed: Math.max(0, msg.seq - this.lastSeq) });
    } else if (msg.kind === 'event') {
      ws.musterNote.events += 1;
      ws.musterNote.last = msg.seq;
      if (this.lastSeq !== null && msg.seq <= this.lastSeq) return; // already applied
      this.lastSeq = msg.seq;
      this.handlers.onEvent(msg);
    } else if (msg.kind === 'caught-up') {
      ws.musterNote.caughtUp = msg.seq;
      if (msg.seq > this.lastSeq) this.lastSeq = msg.seq; // what was filtered out need not be asked for again
      this.caughtUp();
    }
    // heartbeat: the connection is alive; nothing to apply.
  }

  caughtUp() {
    this.downSince = null;
    this.state('live');
  }

  closed(ws, code) {
    if (ws.musterNote) ws.musterNote.closed = code ?? 'probe';
    if (ws !== this.ws) return;
    this.ws = null;
    if (this.stopped) return;
    if (!this.downSince) this.downSince = Date.now();
    this.retry();
  }

  retry() {
    clearTimeout(this.retryTimer);
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    if (!this.downSince) this.downSince = Date.now();
    this.state('reconnecting');
    this.retryTimer = setTimeout(() => this.connect(), base + Math.random() * 250);
  }

  reconnectNow() {
    if (this.stopped || this.connecting || (this.ws && this.ws.readyState === WebSocket.OPEN)) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  async probe() {
    if (this.stopped || !this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), PROBE_TIMEOUT_MS);
    try {
      const res = await fetch('/health/live', { cache: 'no-store', signal: abort.signal });
      if (!res.ok) throw new Error(String(res.status));
    } catch {
      // The server is not answering: this socket cannot be trusted; start over with since.
      const ws = this.ws;
      if (ws) {
        this.closed(ws);
        ws.close();
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
