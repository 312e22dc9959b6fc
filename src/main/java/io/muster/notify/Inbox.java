package io.muster.notify;

import io.muster.notify.domain.Replies;
import io.muster.notify.port.Keywords;
import io.muster.notify.port.Responses;
import io.muster.notify.domain.DeliveryStatus;
import io.muster.notify.domain.Notification;
import io.muster.notify.domain.NotifyEvent;
import io.muster.roster.domain.PhoneNumbers;
import io.muster.roster.domain.Roster;
import io.muster.roster.domain.Staff;
import io.muster.store.Db;
import io.muster.store.Journal;
import io.muster.store.JournalEvent;
import io.muster.store.NewEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What comes back from phones: replies (acknowledgements) and delivery status callbacks. Each
 * reply is recorded once, by its message SID; a status only ever moves forward. Blocking.
 */
public final class Inbox {
  /** How long after a call-out a numbered answer is still told that it has ended. */
  private static final Duration ENDED_CALLOUT_WINDOW = Duration.ofHours(24);

  private final Db db;
  private final Clock clock;
  private final Roster roster;
  private final Responses responses;
  private final Keywords keywords;
  private final DeliveryFailures failures;

  /**
   * {@code responses}: what answers mean to whoever sent the message (the playbook run);
   * {@code keywords}: another feature's SMS keywords (readiness), tried before numbers and ACK.
   */
  public Inbox(Db db, Clock clock, Roster roster, Responses responses, Keywords keywords, DeliveryFailures failures) {
    this.db = db;
    this.clock = clock;
    this.roster = roster;
    this.responses = responses;
    this.keywords = keywords;
    this.failures = failures;
  }

  /**
   * What became of a reply: acknowledged, answered, call-out-ended, no-open-page, not-understood,
   * unknown-sender, duplicate.
   */
  public record Recorded(String outcome, List<JournalEvent> events) { }

  public Recorded reply(String messageSid, String from, String body) {
    return once(messageSid, c -> {
      Instant now = clock.instant();
      String phone = PhoneNumbers.e164(from).orElse(from);
      Optional<Staff> staff = roster.byPhone(phone);
      if (staff.isEmpty()) {
        record(c, messageSid, phone, body, now, null, "unknown-sender");
        return new Recorded("unknown-sender", List.of());
      }
      return staffReply(c, messageSid, staff.get(), body, now);
    });
  }

  /**
   * Handles a webhook identified by its provider SID once: a repeat (Twilio retries; the same
   * webhook arriving at two nodes at once) is answered as a duplicate and changes nothing.
   */
  private Recorded once(String sid, Db.Work<Recorded> work) {
    try {
      return db.tx(c -> alreadyRecorded(c, sid) ? new Recorded("duplicate", List.of()) : work.run(c));
    } catch (RuntimeException e) {
      if (Db.uniqueViolation(e)) {
        return new Recorded("duplicate", List.of());
      }
      throw e;
    }
  }

  /**
   * STOP, START and HELP first, as carriers require; then another feature's keywords (readiness).
   * Then a number answers the newest open request (a page's "1" acknowledges it; a rollcall's number
   * is its answer); ACK, YES and the like acknowledge the newest open page; a reference ("2 KP3RJ")
   * picks an older incident's. Anything else gets the help text back.
   */
  private Recorded staffReply(Connection c, String messageSid, Staff staff, String body, Instant now)
      throws SQLException {
    boolean optedOut = DeliveryFailures.phoneStatus(c, staff.phone()).filter("opted-out"::equals).isPresent();
    Replies.Kind kind = Replies.classify(body, optedOut);
    if (kind instanceof Replies.Stop || kind instanceof Replies.Start) {
      return optOut(c, messageSid, staff, body, now, kind instanceof Replies.Stop);
    }
    if (kind instanceof Replies.Help) {
      return help(c, messageSid, staff, body, now, "help");
    }
    Optional<Keywords.Handled> keyword = keywords.handle(c, staff, body, now);
    if (keyword.isPresent()) {
      Recorded recorded = replied(c, messageSid, staff, body, now, keyword.get().outcome(), keyword.get().answer());
      List<JournalEvent> events = new java.util.ArrayList<>(recorded.events());
      if (!keyword.get().events().isEmpty()) {
        events.addAll(Journal.append(c, now, keyword.get().events()));
      }
      return new Recorded(keyword.get().outcome(), events);
    }
    String actor = "sms:" + staff.id();
    if (kind instanceof Replies.Number number) {
      Optional<Recorded> answered = number(c, messageSid, staff, body, number, now, actor);
      if (answered.isPresent()) {
        return answered.get();
      }
    } else if (kind instanceof Replies.Ack ack) {
      Optional<Notification> page = NotificationSql.openPage(c, staff.phone(), ack.ref());
      return page.isPresent() ? acknowledge(c, messageSid, staff, body, page.get(), now)
          : unmatched(c, messageSid, staff, body, now, "no-open-page");
    }
    return help(c, messageSid, staff, body, now, "not-understood");
  }

  /** A number: the answer to the open call-out, a page's "1", or (nothing open) a call-out that has ended. */
  private Optional<Recorded> number(Connection c, String messageSid, Staff staff, String body, Replies.Number number,
                                    Instant now, String actor) throws SQLException {
    Optional<Notification> open = NotificationSql.openRequest(c, staff.phone(), number.ref());
    if (open.isPresent() && open.get().kind() == Notification.Kind.ROLLCALL) {
      Optional<List<NewEvent>> events = responses.answered(c, open.get(), number.choice(), now, actor);
      if (events.isPresent()) {
        record(c, messageSid, staff.phone(), body, now, open.get().id(), "answered");
        return Optional.of(new Recorded("answered", Journal.append(c, now, events.get())));
      }
    } else if (open.isPresent() && number.choice() == 1) {
      return Optional.of(acknowledge(c, messageSid, staff, body, open.get(), now));
    } else if (open.isEmpty()) {
      // An answer to a call-out that has ended: say so, rather than leave the person wondering.
      Optional<Notification> ended = NotificationSql.latestRollcall(c, staff.phone(), now.minus(ENDED_CALLOUT_WINDOW));
      Optional<List<NewEvent>> events = ended.isEmpty() ? Optional.empty()
          : responses.answered(c, ended.get(), number.choice(), now, actor);
      if (events.isPresent()) {
        record(c, messageSid, staff.phone(), body, now, ended.get().id(), "call-out-ended");
        return Optional.of(new Recorded("call-out-ended", Journal.append(c, now, events.get())));
      }
    }
    return Optional.empty();
  }

  /** STOP puts the number on Muster's opt-out list; START takes it off. Twilio confirms both itself. */
  private Recorded optOut(Connection c, String messageSid, Staff staff, String body, Instant now, boolean stop)
      throws SQLException {
    DeliveryFailures.setPhone(c, staff.phone(), stop ? "opted-out" : null, stop ? DeliveryFailures.OPTED_OUT : null, now);
    String outcome = stop ? "opted-out" : "opted-in";
    record(c, messageSid, staff.phone(), body, now, null, outcome);
    NotifyEvent event = stop ? new NotifyEvent.OptedOut(null, staff.id(), staff.name(), null)
        : new NotifyEvent.OptedIn(staff.id(), staff.name());
    return new Recorded(outcome, Journal.append(c, now, List.of(new NewEvent(event, null, "sms:" + staff.id()))));
  }

  /** Records the reply and sends the help text back. */
  private Recorded help(Connection c, String messageSid, Staff staff, String body, Instant now, String outcome)
      throws SQLException {
    return replied(c, messageSid, staff, body, now, outcome, Replies.HELP_TEXT);
  }

  /** Records the reply (and its event), and answers it by SMS. */
  private Recorded replied(Connection c, String messageSid, Staff staff, String body, Instant now, String outcome,
                           String answer) throws SQLException {
    Recorded recorded = unmatched(c, messageSid, staff, body, now, outcome);
    List<JournalEvent> events = new java.util.ArrayList<>(recorded.events());
    events.addAll(Journal.append(c, now, List.of(NotificationSql.queueInfo(c, staff.id(), staff.name(), staff.phone(),
        answer, now, "sms:" + staff.id()))));
    return new Recorded(outcome, events);
  }

  private Recorded acknowledge(Connection c, String messageSid, Staff staff, String body, Notification page,
                               Instant now) throws SQLException {
    String actor = "sms:" + staff.id();
    List<NewEvent> decisions = responses.acknowledged(c, page, now, actor);
    if (!NotificationSql.acknowledge(c, page.id(), now, messageSid)) {
      return unmatched(c, messageSid, staff, body, now, "no-open-page");
    }
    record(c, messageSid, staff.phone(), body, now, page.id(), "acknowledged");
    List<NewEvent> events = new java.util.ArrayList<>();
    events.add(new NewEvent(new NotifyEvent.Acknowledged(staff.id(), staff.name(), page.id(), page.stepId(),
        page.level(), now.toString(), Duration.between(page.createdAt(), now).toSeconds()), page.incidentId(), actor));
    events.addAll(decisions);
    return new Recorded("acknowledged", Journal.append(c, now, events));
  }

  private Recorded unmatched(Connection c, String messageSid, Staff staff, String body, Instant now, String outcome)
      throws SQLException {
    record(c, messageSid, staff.phone(), body, now, null, outcome);
    return new Recorded(outcome, Journal.append(c, now, List.of(new NewEvent(
        new NotifyEvent.ReplyReceived(staff.id(), staff.name(), body, outcome), null, "sms:" + staff.id()))));
  }

  /**
   * A key pressed during a voice call: "1" acknowledges the page the call read out (the newest
   * unanswered page of that step to that person). Each call's key press is recorded once.
   */
  public Recorded voiceKey(String notificationId, String callSid, String digits) {
    return once(callSid, c -> {
      Instant now = clock.instant();
      Optional<Notification> call = notificationId == null ? Optional.empty() : NotificationSql.byId(c, notificationId);
      Optional<Staff> staff = call.flatMap(n -> roster.byPhone(n.phone()));
      if (call.isEmpty() || staff.isEmpty() || call.get().kind() != Notification.Kind.VOICE) {
        return new Recorded("unknown-call", List.of());
      }
      Optional<Notification> page = "1".equals(digits == null ? null : digits.strip())
          ? NotificationSql.forIncident(c, call.get().incidentId()).stream()
              .filter(n -> n.kind() == Notification.Kind.PAGE && n.staffId().equals(call.get().staffId())
                  && call.get().stepId().equals(n.stepId()) && n.ackedAt() == null)
              .reduce((first, second) -> second)
          : Optional.empty();
      if (page.isEmpty()) {
        return unmatched(c, callSid, staff.get(), "voice:" + digits, now, "no-open-page");
      }
      return acknowledge(c, callSid, staff.get(), "voice:" + digits, page.get(), now);
    });
  }

  /**
   * A delivery status from the provider. The notification is found by the id Muster put in the
   * callback URL (the callback can beat the send's own answer), else by the provider's SID.
   */
  public List<JournalEvent> status(String notificationId, String providerSid, String providerStatus, Integer errorCode) {
    return status(notificationId, providerSid, providerStatus, errorCode, false);
  }

  /** The same; {@code lookedUp}: the status was asked of the provider, not called back (see {@link Reconciler}). */
  public List<JournalEvent> status(String notificationId, String providerSid, String providerStatus, Integer errorCode,
                                   boolean lookedUp) {
    Optional<DeliveryStatus> next = DeliveryStatus.fromTwilio(providerStatus);
    if (next.isEmpty()) {
      return List.of();
    }
    return db.tx(c -> {
      Optional<Notification> found = notificationId != null
          ? NotificationSql.byId(c, notificationId) : NotificationSql.byProviderSid(c, providerSid);
      if (found.isEmpty() || !found.get().status().canMoveTo(next.get())) {
        return List.of();
      }
      Notification n = found.get();
      Instant now = clock.instant();
      if (!NotificationSql.moveStatus(c, n, next.get(), errorCode, now, providerSid)) {
        return List.of();
      }
      List<NewEvent> events = new java.util.ArrayList<>();
      events.add(statusEvent(n, next.get(), errorCode, lookedUp));
      if (next.get() == DeliveryStatus.FAILED || next.get() == DeliveryStatus.UNDELIVERED) {
        events.addAll(failures.route(c, n, errorCode, now));
      }
      return Journal.append(c, now, events);
    });
  }

  static NewEvent statusEvent(Notification n, DeliveryStatus status, Integer errorCode, boolean lookedUp) {
    return new NewEvent(new NotifyEvent.StatusChanged(n.id(), n.staffId(), n.staffName(), n.kind().id(), status.id(),
        errorCode, lookedUp), n.incidentId(), "sms-provider");
  }

  private static boolean alreadyRecorded(Connection c, String messageSid) throws SQLException {
    return Db.exists(c, "SELECT 1 FROM inbound_message WHERE message_sid = ?", messageSid);
  }

  private static void record(Connection c, String sid, String phone, String body, Instant at, String notificationId,
                             String outcome) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO inbound_message"
        + " (message_sid, from_phone, body, received_at, notification_id, outcome) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, sid);
      ps.setString(2, phone);
      ps.setString(3, body);
      ps.setObject(4, Db.ts(at));
      ps.setString(5, notificationId);
      ps.setString(6, outcome);
      ps.executeUpdate();
    }
  }
}
