package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.muster.sim.SimMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Playbooks run for real, on H2 and on PostgreSQL, with durations of seconds: escalation of an
 * unanswered page, a rollcall answered by SMS, tasks going overdue or completed over HTTP, the
 * stand-down, and reminders. Everything goes through HTTP, the real Twilio SDK into the simulator,
 * SMS replies through the simulator, and the live websocket. Fixtures: {@code it/roster-flow.yaml}
 * and {@code it/playbooks-flow/}.
 */
@Timeout(90)
class PlaybookFlowIT {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final String PLAYBOOKS = "src/test/resources/it/playbooks-flow";
  /** The reminder playbook alone: a loader that refuses its `every: 2s` then fails this test only. */
  static final String REMINDER_PLAYBOOKS = PLAYBOOKS + "/reminder";

  static final String DANA = "+16175550101";    // incident-commander (fills the position)
  static final String MARCUS = "+16175550102";  // house-supervisor, incident-commander
  static final String PRIYA = "+16175550103";   // ed-charge-nurse
  static final String TOM = "+16175550104";     // ed-physician
  static final String LENA = "+16175550105";    // rn-float-pool
  static final String SAM = "+16175550106";     // rn-float-pool
  static final String AVA = "+16175550107";     // rn-float-pool
  static final String OMAR = "+16175550108";    // safety-officer
  static final String NINA = "+16175550109";    // nursing-supervisor
  static final String IKE = "+16175550110";     // rn-per-diem
  static final String ZOE = "+16175550111";     // rn-per-diem
  static final List<String> EVERYONE = List.of(DANA, MARCUS, PRIYA, TOM, LENA, SAM, AVA, OMAR, NINA, IKE, ZOE);

  private TestNodes nodes;
  private String base;

  private Muster start(String kind) {
    return start(kind, PLAYBOOKS);
  }

  private Muster start(String kind, String playbooks) {
    nodes = TestNodes.on(kind);
    Muster node = nodes.start("src/test/resources/it/roster-flow.yaml", playbooks, new JsonObject());
    base = TestNodes.baseUrl(node);
    return node;
  }

  @AfterEach
  void tearDown() {
    if (nodes != null) {
      nodes.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("an unanswered page is repeated to the same people, escalates level by level, and an ack stops it")
  void escalation(String kind) {
    Muster node = start(kind);
    try (LiveClient live = LiveClient.connect(node.httpPort(), null)) {
      JsonObject incident = trigger("flow-escalation");
      String id = incident.getString("id");

      eventually("level 0 paged once each", () -> pages(PRIYA) == 1 && pages(TOM) == 1);
      assertThat(sms(PRIYA).get(0).body()).contains("[" + incident.getString("ref") + "]")
          .contains("Reply 1 to acknowledge");

      JsonObject repeated = event(live, id, "page.repeated", e -> true);
      assertThat(repeated.getJsonObject("payload").getInteger("level")).isEqualTo(0);
      assertThat(repeated.getJsonObject("payload").getInteger("recipients")).isEqualTo(2);
      eventually("level 0 paged a second time", () -> pages(PRIYA) == 2 && pages(TOM) == 2);
      long gapMs = (sms(PRIYA).get(1).receivedNanos() - sms(PRIYA).get(0).receivedNanos()) / 1_000_000;
      assertThat(gapMs).as("the repeat comes `every: 2s` after the first page").isBetween(1_500L, 6_000L);

      JsonObject level1 = event(live, id, "page.escalated", e -> e.getJsonObject("payload").getInteger("level") == 1);
      assertThat(level1.getJsonObject("payload").getInteger("recipients")).isEqualTo(1);
      eventually("level 1 (house-supervisor) paged", () -> pages(MARCUS) >= 1);
      JsonObject level2 = event(live, id, "page.escalated", e -> e.getJsonObject("payload").getInteger("level") == 2);
      assertThat(level2.getJsonObject("payload").getInteger("recipients")).isEqualTo(1);
      eventually("level 2 (nursing-supervisor) paged", () -> pages(NINA) == 1);

      assertThat(first(MARCUS).receivedNanos()).as("level 1 after the repeat of level 0")
          .isGreaterThan(sms(PRIYA).get(1).receivedNanos());
      assertThat(first(NINA).receivedNanos()).as("level 2 after level 1").isGreaterThan(first(MARCUS).receivedNanos());
      assertThat(level2.getLong("seq")).isGreaterThan(level1.getLong("seq"));
      assertThat(level1.getLong("seq")).isGreaterThan(repeated.getLong("seq"));
      assertThat(pages(PRIYA)).as("level 0 is not paged again at later levels").isEqualTo(2);
      assertThat(pages(TOM)).isEqualTo(2);
      assertThat(pages(DANA) + pages(LENA) + pages(OMAR)).as("nobody outside the levels").isZero();

      // the level-2 person acknowledges
      assertThat(PipelineIT.reply(base, nodes.simulator, NINA, "1").getInteger("webhookStatus")).isEqualTo(200);
      JsonObject ack = event(live, id, "notification.acknowledged", e -> true);
      assertThat(ack.getJsonObject("payload").getString("staffId")).isEqualTo("nina-petrova");
      JsonObject stopped = event(live, id, "escalation.stopped", e -> true);
      assertThat(stopped.getJsonObject("payload").getString("stepId")).isEqualTo("page-ed");
      assertThat(stopped.getJsonObject("payload").getString("staffId")).isEqualTo("nina-petrova");
      assertThat(stopped.getJsonObject("payload").getInteger("level")).isEqualTo(2);
      assertThat(timers(run(id), "escalate")).as("no escalate timer once acknowledged").isEmpty();

      String ref = incident.getString("ref");
      eventually("every page so far is sent", () -> outbound(ref) == notifications(id).size());
      long sent = outbound(ref);
      // A later incident's page repeated `every: 2s` shows the timers ran past when this one's next
      // escalation would have been due; then nothing is queued or being sent.
      JsonObject marker = trigger("flow-escalation");
      event(live, marker.getString("id"), "page.repeated", e -> true);
      nodes.awaitOutboxDrained();
      assertThat(outbound(ref)).as("no page after the acknowledgement").isEqualTo(sent);
      assertThat(notifications(id).size()).isEqualTo(sent);
      assertThat(live.events().stream().filter(e -> id.equals(e.getString("incidentId")))
          .filter(e -> e.getLong("seq") > stopped.getLong("seq"))
          .map(e -> e.getString("type")).toList())
          .as("no escalation decision after it stopped")
          .doesNotContain("page.repeated", "page.escalated", "page.unanswered");
      assertThat(timers(run(id), "escalate")).isEmpty();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a rollcall over SMS: need met by two yes, no widening, late yes not needed, a no lowers the tally")
  void rollcall(String kind) {
    Muster node = start(kind);
    try (LiveClient live = LiveClient.connect(node.httpPort(), null)) {
      JsonObject incident = trigger("flow-rollcall");
      String id = incident.getString("id");
      eventually("the float pool is asked", () -> List.of(LENA, SAM, AVA).stream().allMatch(p -> sms(p).size() == 1));
      assertThat(first(LENA).body()).contains("[" + incident.getString("ref") + "]")
          .contains("Reply 1 = Yes, within 30 min, 2 = Yes, within 60 min, 3 = No");
      JsonObject before = rollcallView(id);
      assertThat(before.getString("status")).isEqualTo("open");
      assertThat(before.getInteger("tally")).isZero();
      assertThat(before.getInteger("need")).isEqualTo(2);
      assertThat(timers(run(id), "widen")).hasSize(1);

      reply(LENA, "1");
      reply(SAM, "1");
      JsonObject met = event(live, id, "rollcall.need-met", e -> true);
      assertThat(met.getJsonObject("payload").getInteger("tally")).isEqualTo(2);
      assertThat(met.getJsonObject("payload").getInteger("need")).isEqualTo(2);
      JsonObject metView = rollcallView(id);
      assertThat(metView.getString("status")).isEqualTo("met");
      assertThat(metView.getInteger("tally")).isEqualTo(2);
      assertThat(metView.getJsonArray("answers")).hasSize(2);

      // the widening (after 10s: the replies come well before it, even on a loaded machine) finds the
      // need met and asks nobody
      eventually("the widen timer has fired", () -> timers(run(id), "widen").isEmpty());
      // Whom a widening asks is queued with the timer's firing; once nothing is queued or being sent,
      // any such question has reached its phone.
      nodes.awaitOutboxDrained();
      assertThat(sms(IKE)).as("per-diem nurses are not asked once the need is met").isEmpty();
      assertThat(sms(ZOE)).isEmpty();
      assertThat(staffIds(notifications(id))).doesNotContain("ike-mensah", "zoe-lin");
      assertThat(live.events().stream().filter(e -> "rollcall.widened".equals(e.getString("type")))
          .filter(e -> e.getJsonObject("payload").getInteger("asked") > 0)).isEmpty();

      // a third yes, late
      reply(AVA, "1");
      JsonObject late = event(live, id, "rollcall.answered",
          e -> "ava-brooks".equals(e.getJsonObject("payload").getString("staffId")));
      assertThat(late.getJsonObject("payload").getBoolean("counted")).isFalse();
      eventually("the late yes hears it is not needed", () -> sms(AVA).size() == 2);
      assertThat(sms(AVA).get(1).body()).contains("not needed");
      assertThat(rollcallView(id).getInteger("tally")).isEqualTo(2);

      // one of the first two changes to "No"
      reply(SAM, "3");
      JsonObject unmet = event(live, id, "rollcall.need-unmet", e -> true);
      assertThat(unmet.getJsonObject("payload").getInteger("tally")).isEqualTo(1);
      JsonObject after = rollcallView(id);
      assertThat(after.getString("status")).isEqualTo("open");
      assertThat(after.getInteger("tally")).isEqualTo(1);
      assertThat(after.getInteger("need")).isEqualTo(2);
      JsonArray answers = after.getJsonArray("answers");
      assertThat(answers).hasSize(3);
      assertThat(answer(answers, "lena-fischer").getInteger("choice")).isEqualTo(1);
      assertThat(answer(answers, "lena-fischer").getBoolean("counted")).isTrue();
      assertThat(answer(answers, "sam-delgado").getInteger("choice")).isEqualTo(3);
      assertThat(answer(answers, "sam-delgado").getBoolean("yes")).isFalse();
      assertThat(answer(answers, "sam-delgado").getBoolean("counted")).isFalse();
      assertThat(answer(answers, "ava-brooks").getInteger("choice")).isEqualTo(1);
      assertThat(sms(LENA)).as("answering sends nothing back to a counted yes").hasSize(1);
      assertThat(sms(SAM)).hasSize(1);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a task not done by its due time pages its owner; one completed over HTTP does not")
  void tasks(String kind) {
    Muster node = start(kind);
    try (LiveClient live = LiveClient.connect(node.httpPort(), null)) {
      JsonObject incident = trigger("flow-tasks");
      String id = incident.getString("id");
      long triggeredAt = System.nanoTime();
      String tasksUrl = base + "/api/v1/incidents/" + id + "/tasks/";

      Http.Response done = Http.post(tasksUrl + "open-command-center/complete", null, "");
      assertThat(done.status()).as(done.body()).isEqualTo(200);
      assertThat(done.json().getString("taskId")).isEqualTo("open-command-center");
      assertThat(done.json().getString("status")).isEqualTo("done");
      JsonObject completed = event(live, id, "task.completed", e -> true);
      assertThat(completed.getJsonObject("payload").getString("taskId")).isEqualTo("open-command-center");
      assertThat(completed.getJsonObject("payload").getString("owner")).isEqualTo("incident-commander");

      JsonObject run = run(id);
      assertThat(position(run, "incident-commander")).isEqualTo("dana-whitfield");
      assertThat(position(run, "safety-officer")).isEqualTo("omar-haddad");
      assertThat(task(run, "open-command-center").getString("status")).isEqualTo("done");
      assertThat(task(run, "walk-the-floor").getString("status")).isEqualTo("open");
      assertThat(task(run, "walk-the-floor").getString("staffId")).isEqualTo("omar-haddad");
      assertThat(timers(run, "task-due").stream().map(t -> t.getString("target")).toList())
          .containsExactly("walk-the-floor");

      eventually("the safety officer is told the task is overdue",
          () -> sms(OMAR).stream().anyMatch(m -> m.body().contains("OVERDUE")));
      long overdueAfterMs = (first(OMAR).receivedNanos() - triggeredAt) / 1_000_000;
      assertThat(overdueAfterMs).as("due: 2s").isGreaterThanOrEqualTo(1_500L);
      assertThat(first(OMAR).body()).contains("[" + incident.getString("ref") + "]")
          .contains("OVERDUE task (safety-officer): Walk the floor and report hazards.");
      JsonObject overdue = event(live, id, "task.overdue", e -> true);
      assertThat(overdue.getJsonObject("payload").getString("taskId")).isEqualTo("walk-the-floor");
      assertThat(overdue.getJsonObject("payload").getString("staffId")).isEqualTo("omar-haddad");

      // Past the completed task's due time (3s): a later incident's task due 2s after it was
      // triggered goes overdue, so the timers ran past 3s; then nothing is queued or being sent.
      JsonObject marker = trigger("flow-tasks");
      event(live, marker.getString("id"), "task.overdue", e -> true);
      nodes.awaitOutboxDrained();
      String ref = "[" + incident.getString("ref") + "]";
      assertThat(sms(DANA).stream().filter(m -> m.body().contains(ref) && m.body().contains("OVERDUE")))
          .as("no overdue page for the completed task").isEmpty();
      assertThat(live.events().stream().filter(e -> "task.overdue".equals(e.getString("type")))
          .filter(e -> id.equals(e.getString("incidentId")))
          .map(e -> e.getJsonObject("payload").getString("taskId")).toList()).containsExactly("walk-the-floor");
      run = run(id);
      assertThat(task(run, "walk-the-floor").getString("status")).isEqualTo("open");
      assertThat(task(run, "walk-the-floor").getBoolean("overdue")).isTrue();
      assertThat(task(run, "walk-the-floor").getString("owner")).isEqualTo("safety-officer");
      assertThat(task(run, "walk-the-floor").getString("dueAt")).isNotNull();
      assertThat(task(run, "open-command-center").getString("status")).isEqualTo("done");
      assertThat(task(run, "open-command-center").getBoolean("overdue")).isFalse();

      Http.Response unknown = Http.post(tasksUrl + "no-such-task/complete", null, "");
      assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
      assertThat(unknown.header("content-type")).startsWith("application/json");
      assertThat(unknown.json().getJsonObject("error").getString("field")).isEqualTo("taskId");
      assertThat(unknown.json().getJsonObject("error").getString("message")).contains("no-such-task");

      assertThat(Http.post(base + "/api/v1/incidents/" + id + "/resolve", null, "").status()).isEqualTo(200);
      Http.Response resolved = Http.post(tasksUrl + "walk-the-floor/complete", null, "");
      assertThat(resolved.status()).as(resolved.body()).isEqualTo(409);
      assertThat(resolved.json().getJsonObject("error").getString("code")).isEqualTo("conflict");
      assertThat(task(run(id), "walk-the-floor").getString("status")).isEqualTo("open");
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("resolve cancels every timer, closes the rollcall, sends the all-clear; a late answer goes nowhere")
  void standDown(String kind) throws Exception {
    Muster node = start(kind);
    try (LiveClient live = LiveClient.connect(node.httpPort(), null)) {
      JsonObject incident = trigger("flow-standdown");
      String id = incident.getString("id");
      List<String> messaged = List.of(DANA, MARCUS, LENA, SAM, AVA);
      eventually("command paged and nurses asked", () -> messaged.stream().allMatch(p -> sms(p).size() == 1));
      reply(LENA, "1");
      event(live, id, "rollcall.answered", e -> true);
      JsonObject before = run(id);
      assertThat(before.getJsonArray("pendingTimers").stream().map(t -> ((JsonObject) t).getString("kind")).toList())
          .containsExactlyInAnyOrder("escalate", "widen", "task-due", "reminder");

      Http.Response resolved = Http.post(base + "/api/v1/incidents/" + id + "/resolve", null, "");
      assertThat(resolved.status()).isEqualTo(200);
      JsonObject cancelled = event(live, id, "timers.cancelled", e -> true);
      assertThat(cancelled.getJsonObject("payload").getInteger("count")).isEqualTo(4);
      JsonObject closed = event(live, id, "rollcall.closed", e -> true);
      assertThat(closed.getJsonObject("payload").getString("stepId")).isEqualTo("nurse-callback");
      JsonObject after = run(id);
      assertThat(after.getJsonArray("pendingTimers")).as("no timer pending after resolve").isEmpty();
      assertThat(rollcallView(id).getString("status")).isEqualTo("closed");

      eventually("the all-clear reaches everyone messaged", () -> messaged.stream().allMatch(p -> allClears(p) == 1));
      nodes.awaitOutboxDrained();   // every all-clear is queued with the resolve: now all are sent
      for (String phone : EVERYONE) {
        assertThat(allClears(phone)).as("all-clears to %s", phone).isEqualTo(messaged.contains(phone) ? 1 : 0);
      }
      assertThat(first(DANA).body()).doesNotContain("ALL CLEAR");
      assertThat(sms(DANA).get(1).body()).contains("[" + incident.getString("ref") + "]")
          .contains("ALL CLEAR: the stand-down drill at Muster General Hospital has ended.");

      // a rollcall answer after the incident ended: the person hears the call-out is over, nothing else moves
      int notificationsBefore = notifications(id).size();
      int samBefore = sms(SAM).size();
      JsonObject lateReply = reply(SAM, "1");
      Optional<String[]> recorded = inbound(lateReply.getString("messageSid"));
      assertThat(recorded).as("the reply is recorded").isPresent();
      assertThat(recorded.get()[0]).as("matched to Sam's rollcall question").isNotNull();
      assertThat(recorded.get()[1]).as("outcome").isEqualTo("call-out-ended");
      eventually("Sam hears the call-out has ended", () -> sms(SAM).size() == samBefore + 1);
      assertThat(sms(SAM).get(samBefore).body()).contains("This call-out has ended");
      nodes.awaitOutboxDrained();   // what the reply queued has been sent
      assertThat(sms(SAM)).as("nothing more for the ended incident").hasSize(samBefore + 1);
      assertThat(notifications(id)).as("only the reply to Sam").hasSize(notificationsBefore + 1);
      JsonObject rollcall = rollcallView(id);
      assertThat(rollcall.getInteger("tally")).isEqualTo(1);
      assertThat(rollcall.getJsonArray("answers")).hasSize(1);
      assertThat(run(id).getJsonArray("pendingTimers")).isEmpty();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("the incident commander is reminded every 2s until resolve, and never after")
  void reminders(String kind) {
    Muster node = start(kind, REMINDER_PLAYBOOKS);
    try (LiveClient live = LiveClient.connect(node.httpPort(), null)) {
      JsonObject incident = trigger("flow-reminder");
      String id = incident.getString("id");
      eventually("two reminders to the incident commander", () -> remindersTo(DANA).size() >= 2);
      List<SimMessage> got = remindersTo(DANA);
      long gapMs = (got.get(1).receivedNanos() - got.get(0).receivedNanos()) / 1_000_000;
      assertThat(gapMs).as("`every: 2s`").isBetween(1_500L, 6_000L);
      assertThat(got.get(0).body()).contains("[" + incident.getString("ref") + "]")
          .contains("STATUS UPDATE due for Flow reminder at Muster General Hospital.");
      assertThat(event(live, id, "reminder.sent", e -> true).getJsonObject("payload").getInteger("recipients"))
          .isEqualTo(1);
      assertThat(remindersTo(MARCUS)).as("only whoever fills the position, not every holder of the role").isEmpty();

      assertThat(Http.post(base + "/api/v1/incidents/" + id + "/resolve", null, "").status()).isEqualTo(200);
      event(live, id, "incident.resolved", e -> true);
      long queued = notifications(id).stream().filter(n -> "reminder".equals(n.getString("kind"))).count();
      assertThat(run(id).getJsonArray("pendingTimers")).isEmpty();
      // A later incident's first reminder (`every: 2s`) shows the timers ran past when this one's
      // next reminder would have been due; then nothing is queued or being sent.
      JsonObject marker = trigger("flow-reminder");
      event(live, marker.getString("id"), "reminder.sent", e -> true);
      nodes.awaitOutboxDrained();
      String ref = "[" + incident.getString("ref") + "]";
      assertThat(remindersTo(DANA).stream().filter(m -> m.body().contains(ref)))
          .as("no reminder after resolve").hasSize((int) queued);
      assertThat(notifications(id).stream().filter(n -> "reminder".equals(n.getString("kind"))).count())
          .isEqualTo(queued);
      assertThat(live.events().stream().filter(e -> id.equals(e.getString("incidentId")))
          .filter(e -> "incident.resolved".equals(e.getString("type"))
          || "reminder.sent".equals(e.getString("type"))).map(e -> e.getString("type")).toList())
          .as("no reminder.sent after incident.resolved").endsWith("incident.resolved");
    }
  }

  // ---- helpers

  private JsonObject trigger(String type) {
    return TestNodes.trigger(base, type, "general", "Flow test");
  }

  private JsonObject reply(String phone, String body) {
    JsonObject r = PipelineIT.reply(base, nodes.simulator, phone, body);
    assertThat(r.getInteger("webhookStatus")).isEqualTo(200);
    return r;
  }

  private JsonObject detail(String id) {
    Http.Response r = Http.get(base + "/api/v1/incidents/" + id);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private JsonObject run(String id) {
    return detail(id).getJsonObject("run");
  }

  private List<JsonObject> notifications(String id) {
    return objects(detail(id).getJsonArray("notifications"));
  }

  private JsonObject rollcallView(String id) {
    JsonArray rollcalls = run(id).getJsonArray("rollcalls");
    assertThat(rollcalls).hasSize(1);
    return rollcalls.getJsonObject(0);
  }

  private static List<JsonObject> timers(JsonObject run, String kind) {
    return objects(run.getJsonArray("pendingTimers")).stream().filter(t -> kind.equals(t.getString("kind"))).toList();
  }

  private static JsonObject task(JsonObject run, String taskId) {
    return objects(run.getJsonArray("tasks")).stream().filter(t -> taskId.equals(t.getString("taskId"))).findFirst()
        .orElseThrow(() -> new AssertionError("no task " + taskId + " in " + run.getJsonArray("tasks")));
  }

  private static String position(JsonObject run, String position) {
    return objects(run.getJsonArray("positions")).stream().filter(p -> position.equals(p.getString("position")))
        .map(p -> p.getString("staffId")).findFirst().orElse(null);
  }

  private static JsonObject answer(JsonArray answers, String staffId) {
    return objects(answers).stream().filter(a -> staffId.equals(a.getString("staffId"))).findFirst()
        .orElseThrow(() -> new AssertionError("no answer from " + staffId + " in " + answers));
  }

  private static Set<String> staffIds(List<JsonObject> notifications) {
    return Set.copyOf(notifications.stream().map(n -> n.getString("staffId")).toList());
  }

  private static List<JsonObject> objects(JsonArray array) {
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      out.add(array.getJsonObject(i));
    }
    return out;
  }

  private List<SimMessage> sms(String phone) {
    return nodes.simulator.messagesTo(phone);
  }

  private SimMessage first(String phone) {
    List<SimMessage> all = sms(phone);
    assertThat(all).as("messages to %s", phone).isNotEmpty();
    return all.get(0);
  }

  private long pages(String phone) {
    return sms(phone).stream().filter(m -> m.body().contains("Reply 1 to acknowledge")).count();
  }

  private long allClears(String phone) {
    return sms(phone).stream().filter(m -> m.body().contains("ALL CLEAR")).count();
  }

  private List<SimMessage> remindersTo(String phone) {
    return sms(phone).stream().filter(m -> m.body().contains("STATUS UPDATE")).toList();
  }

  /** Messages of the incident with this reference at the simulator. */
  private long outbound(String ref) {
    return nodes.simulator.allMessages().stream().filter(m -> m.body().contains("[" + ref + "]")).count();
  }

  /** The first event of this type (and incident, unless null) matching, received so far or within WAIT. */
  private static JsonObject event(LiveClient live, String incidentId, String type, Predicate<JsonObject> match) {
    return live.first(incidentId, type, match, WAIT);
  }

  /** The notification id and outcome recorded for an inbound SMS. */
  private Optional<String[]> inbound(String messageSid) throws SQLException {
    try (Connection c = DriverManager.getConnection(nodes.db().url, nodes.db().user, "");
         PreparedStatement ps = c.prepareStatement(
             "SELECT notification_id, outcome FROM inbound_message WHERE message_sid = ?")) {
      ps.setString(1, messageSid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new String[] {rs.getString(1), rs.getString(2)}) : Optional.empty();
      }
    }
  }

  private static void eventually(String what, BooleanSupplier condition) {
    PipelineIT.eventually(what, WAIT, condition);
  }
}
