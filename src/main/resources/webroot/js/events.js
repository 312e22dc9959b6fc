// One line of plain language for each journal event, shared by the timeline and the live log.
import { duration, words } from './dom.js';

const NOTIFICATION_STATES = new Set(['notification.queued', 'notification.sent', 'notification.status']);

/** Delivery progress (queued, sent, delivered…) is many lines per page: the timeline folds it. */
export const isDeliveryNoise = (e) => NOTIFICATION_STATES.has(e.type);

const KIND = { page: 'page', rollcall: 'rollcall question', task: 'task message', reminder: 'reminder',
  info: 'message', 'all-clear': 'all-clear', voice: 'voice call' };

export function describe(e, names = {}) {
  const p = e.payload || {};
  const who = p.staffName || p.staffId || 'someone';
  const step = p.stepId ? words(p.stepId) : '';
  switch (e.type) {
    case 'incident.triggered': {
      const i = p.incident || {};
      return `${i.drill ? 'Drill' : 'Incident'} ${i.ref || ''} triggered: ${names.playbook?.(i.type) || i.type}`
        + ` at ${names.facility?.(i.facilityId) || i.facilityId} (${i.severity}) by ${e.actor}`;
    }
    case 'incident.resolved': return `Resolved by ${e.actor}`;
    case 'playbook.stood-down': return `Stand-down: all-clear to ${p.allClear} people`;
    case 'position.filled': return `${who} fills ${words(p.position)}${p.onShift === false ? ' (off shift)' : ''}`;
    case 'position.unfilled': return `UNFILLED: ${words(p.position)} — nobody holds ${(p.roles || []).join(', ')}`;
    case 'step.started': return `Step “${step}” started${p.recipients !== undefined ? `: ${p.recipients} to page` : ''}`;
    case 'step.skipped': return `Step “${step}” skipped: ${p.reason || ''}`;
    case 'notification.queued': return `${words(KIND[p.kind] || p.kind)} to ${who}: queued`;
    case 'notification.sent': return `${words(KIND[p.kind] || p.kind)} to ${who}: sent`;
    case 'notification.status': return `${words(KIND[p.kind] || p.kind)} to ${who}: ${p.status}${p.errorCode ? ` (error ${p.errorCode})` : ''}`;
    case 'notification.failed': return `${words(KIND[p.kind] || p.kind)} to ${who}: FAILED${p.errorCode ? ` (error ${p.errorCode})` : ''}`;
    case 'notification.acknowledged':
      return `${who} acknowledged${p.secondsToAck !== undefined ? ` after ${duration(p.secondsToAck)}` : ''}`;
    case 'escalation.stopped': return `Escalation of “${step}” stopped: ${who} acknowledged`;
    case 'page.escalated': return `“${step}” escalated to level ${p.level} (${p.recipients} people)`;
    case 'page.repeated': return `“${step}” paged again (repeat ${p.repeat}, ${p.recipients} people)`;
    case 'page.called': return `“${step}” calling ${p.recipients} people by voice`;
    case 'page.unanswered': return `UNANSWERED: nobody acknowledged “${step}”`;
    case 'page.unreachable': return `“${step}”: nobody at level ${p.level} can be reached`;
    case 'rollcall.started': return `Rollcall “${step}”: asked ${p.asked}, need ${p.need}`;
    case 'rollcall.answered':
      return `${who} answered ${p.choice}${p.answer ? ` (${p.answer})` : ''}: ${p.yes ? 'YES' : 'no'} — ${p.tally} of ${p.need}`;
    case 'rollcall.widened': return `Rollcall “${step}” widened: ${p.asked} more asked (${p.tally} of ${p.need})`;
    case 'rollcall.need-met': return `Rollcall “${step}”: need met (${p.tally} of ${p.need})`;
    case 'rollcall.need-unmet': return `Rollcall “${step}”: below need again (${p.tally} of ${p.need})`;
    case 'rollcall.closed': return `Rollcall “${step}” closed at ${p.tally}`;
    case 'task.created': return `Task for ${words(p.owner)}${p.staffName ? ` (${p.staffName})` : ''}: ${p.do}`;
    case 'task.completed': return `Task done: ${words(p.taskId)} (by ${p.by || e.actor})`;
    case 'task.overdue': return `OVERDUE task: ${words(p.taskId)} (${words(p.owner)})${p.paged ? ', owner paged' : ''}`;
    case 'readiness.change-requested': return `Readiness at ${names.facility?.(p.facilityId) || p.facilityId}: ${changes(p.changes)}`;
    case 'readiness.updated': return `Readiness at ${names.facility?.(p.facilityId) || p.facilityId}: ${changes(p.changes)} (by ${p.by || e.actor})`;
    case 'readiness.threshold-crossed': return `Threshold ${p.rule || ''} crossed at ${names.facility?.(p.facilityId) || p.facilityId}${p.trigger ? ` → starts ${names.playbook?.(p.trigger) || p.trigger}` : ''}`;
    case 'timers.cancelled': return `${p.count} pending timer${p.count === 1 ? '' : 's'} cancelled`;
    case 'reminder.sent': return `Reminder sent to ${p.recipients} people`;
    case 'sms.degraded': return `SMS DEGRADED: ${p.reason || ''}`;
    case 'sms.recovered': return `SMS recovered: ${p.reason || ''}`;
    case 'sms.flagged': return `SMS flagged: ${p.note || p.errorCode || ''}`;
    case 'sms.retry-scheduled': return `SMS to ${who} undelivered (error ${p.errorCode}); retried later`;
    default: return `${e.type}${p.staffName ? ` ${p.staffName}` : ''}${p.status ? ` → ${p.status}` : ''}`;
  }
}

function changes(map) {
  if (!map) return '';
  return Object.entries(map).map(([k, v]) => `${k.replace(/^(beds|systems|supplies)\./, '')} ${v}`).join(', ');
}
