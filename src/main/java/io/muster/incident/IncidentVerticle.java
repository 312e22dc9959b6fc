package io.muster.incident;

import io.muster.bus.Commands;
import io.muster.common.Event;
import io.muster.readiness.domain.ReadinessEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.muster.common.InvalidInput;
import io.muster.incident.domain.Incident;
import io.muster.incident.domain.IncidentFacts;
import io.muster.incident.domain.IncidentStatus;
import io.muster.incident.domain.Severity;
import io.muster.incident.domain.TriggerIncident;
import io.muster.store.AsyncDb;
import io.muster.store.JournalBus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import io.muster.common.ErrorCode;
import io.muster.common.Rejection;
import java.util.function.Function;

/**
 * Answers the incident commands. Consumers are local: a command is handled by the node that took
 * the request; the store publishes its events once they are committed and numbered.
 */
public final class IncidentVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IncidentVerticle.class);
  private static final String CROSSED = Event.typeOf(ReadinessEvent.ThresholdCrossed.class);
  private final Incidents incidents;
  private final ThresholdStarts thresholds;
  private final AsyncDb db;
  private final long pollMs;
  private boolean polling;

  /** {@code pollMs}: how often the readiness thresholds crossed are looked for (also at each local commit). */
  public IncidentVerticle(Incidents incidents, ThresholdStarts thresholds, AsyncDb db, long pollMs) {
    this.incidents = incidents;
    this.thresholds = thresholds;
    this.db = db;
    this.pollMs = pollMs;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    MessageConsumer<JsonObject> trigger = bus.localConsumer(IncidentAddresses.TRIGGER, this::trigger);
    MessageConsumer<JsonObject> resolve = bus.localConsumer(IncidentAddresses.RESOLVE, this::resolve);
    MessageConsumer<JsonObject> get = bus.localConsumer(IncidentAddresses.GET, this::get);
    MessageConsumer<JsonObject> list = bus.localConsumer(IncidentAddresses.LIST, this::list);
    MessageConsumer<JsonObject> task = bus.localConsumer(IncidentAddresses.COMPLETE_TASK, this::completeTask);
    MessageConsumer<JsonObject> committed = bus.localConsumer(JournalBus.LOCAL_APPENDED, m -> {
      if (m.body().getJsonArray("events").stream().anyMatch(e -> CROSSED.equals(((JsonObject) e).getString("type")))) {
        startThresholds();
      }
    });
    vertx.setPeriodic(pollMs, id -> startThresholds());
    return Future.all(List.of(trigger.completion(), resolve.completion(), get.completion(), list.completion(),
        task.completion(), committed.completion()));
  }

  /** Starts the incidents readiness thresholds call for (one poll at a time on this node). */
  private void startThresholds() {
    if (polling) {
      return;
    }
    polling = true;
    db.run(thresholds::poll)
        .onFailure(t -> LOG.warn("readiness thresholds not looked at: {}", t.toString()))
        .onComplete(ar -> polling = false);
  }

  private void trigger(Message<JsonObject> message) {
    String key = message.headers().get(Commands.IDEMPOTENCY_KEY);
    String actor = message.headers().get(Commands.ACTOR);
    Predicate<String> scope = Commands.scope(message);
    answer(message, () -> {
      TriggerIncident cmd = command(message.body());
      if (!scope.test(cmd.facilityId())) {
        // The same answer as for a facility that does not exist: existence does not leak.
        throw new Rejection(ErrorCode.UNKNOWN_REFERENCE, "facilityId", "unknown facility '" + cmd.facilityId() + "'");
      }
      return incidents.trigger(cmd, key, actor);
    }, triggered -> JsonObject.mapFrom(IncidentFacts.of(triggered.incident())).put("replayed", triggered.replayed()));
  }

  private void resolve(Message<JsonObject> message) {
    String actor = message.headers().get(Commands.ACTOR);
    String id = message.body().getString("id");
    answer(message, () -> incidents.resolve(visible(id, Commands.scope(message)), actor), resolved -> JsonObject.mapFrom(IncidentFacts.of(resolved.incident())));
  }

  private void completeTask(Message<JsonObject> message) {
    String actor = message.headers().get(Commands.ACTOR);
    String id = message.body().getString("id");
    String taskId = message.body().getString("taskId");
    answer(message, () -> incidents.completeTask(visible(id, Commands.scope(message)), taskId, actor), events -> new JsonObject().put("incidentId", id).put("taskId", taskId).put("status", "done"));
  }

  private void get(Message<JsonObject> message) {
    String id = message.body().getString("id");
    answer(message, () -> incidents.detail(visible(id, Commands.scope(message))), IncidentViews::detail);
  }

  private void list(Message<JsonObject> message) {
    String status = message.body().getString("status");
    answer(message, () -> incidents.list(status == null ? null : IncidentStatus.of(status), 500), list -> {
      JsonArray items = new JsonArray();
      Predicate<String> scope = Commands.scope(message);
      for (Incident i : list) {
        if (scope.test(i.facilityId())) {
          items.add(JsonObject.mapFrom(IncidentFacts.of(i)));
        }
      }
      return new JsonObject().put("incidents", items);
    });
  }

  /** The id, when the caller may see that incident; else the answer for an incident that does not exist. */
  private String visible(String id, Predicate<String> scope) {
    Optional<String> facility = incidents.facilityOf(id);
    if (facility.isPresent() && !scope.test(facility.get())) {
      throw Incidents.notFound(id);
    }
    return id;
  }

  private <T> void answer(Message<JsonObject> message, java.util.concurrent.Callable<T> work,
                          Function<T, JsonObject> reply) {
    db.run(work).map(reply).onSuccess(message::reply).onFailure(t -> Commands.fail(message, t));
  }

  /** The command from the request body. The OpenAPI contract has checked types already. */
  static TriggerIncident command(JsonObject body) {
    String severity = body.getString("severity");
    Object drill = body.containsKey("drill") ? body.getValue("drill") : Boolean.FALSE;
    if (!(drill instanceof Boolean)) {
      throw new InvalidInput("drill", "must be true or false");
    }
    return new TriggerIncident(body.getString("type"), body.getString("facilityId"), body.getString("summary"),
        severity == null ? null : Severity.of("severity", severity), (Boolean) drill);
  }
}
