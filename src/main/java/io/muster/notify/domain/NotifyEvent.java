package io.muster.notify.domain;

import io.muster.common.Event;

/** What happens to messages and to the SMS path: queued, sent, delivered or not, answered, refused. */
public sealed interface NotifyEvent extends Event {

  @Event.Type("notification.queued")
  record Queued(String notificationId, String staffId, String staffName, String kind, boolean requiresAck,
                String stepId, int level, String status) implements NotifyEvent { }

  @Event.Type("notification.sent")
  record Sent(String notificationId, String staffId, String staffName, String kind, String status)
      implements NotifyEvent { }

  /** A delivery status from the provider; {@code lookedUp}: asked of the provider, no receipt having come. */
  @Event.Type("notification.status")
  record StatusChanged(String notificationId, String staffId, String staffName, String kind, String status,
                       Integer errorCode, boolean lookedUp) implements NotifyEvent { }

  @Event.Type("notification.failed")
  record Failed(String notificationId, String staffId, String staffName, String kind, String status, Integer errorCode,
                String reason) implements NotifyEvent { }

  @Event.Type("notification.acknowledged")
  record Acknowledged(String staffId, String staffName, String notificationId, String stepId, int level,
                      String ackedAt, long secondsToAck) implements NotifyEvent { }

  /** A reply that acknowledged or answered nothing (help, not understood, nothing open), and what became of it. */
  @Event.Type("reply.received")
  record ReplyReceived(String staffId, String staffName, String body, String outcome) implements NotifyEvent { }

  /** The number is opted out: the person texted STOP, or the provider said so (21610, with the message). */
  @Event.Type("sms.opted-out")
  record OptedOut(String notificationId, String staffId, String staffName, Integer errorCode) implements NotifyEvent { }

  @Event.Type("sms.opted-in")
  record OptedIn(String staffId, String staffName) implements NotifyEvent { }

  @Event.Type("sms.unreachable")
  record Unreachable(String notificationId, String staffId, String staffName, Integer errorCode) implements NotifyEvent { }

  @Event.Type("sms.flagged")
  record Flagged(String notificationId, String staffId, String staffName, Integer errorCode, String note)
      implements NotifyEvent { }

  @Event.Type("sms.retry-scheduled")
  record RetryScheduled(String notificationId, String staffId, String staffName, Integer errorCode, String retryId,
                        String retryAt) implements NotifyEvent { }

  @Event.Type("sms.degraded")
  record Degraded(String node, String reason) implements NotifyEvent, Event.Broadcast { }

  @Event.Type("sms.recovered")
  record Recovered(String node, String reason) implements NotifyEvent, Event.Broadcast { }
}
