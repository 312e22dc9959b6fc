package io.muster.playbook;

import io.muster.common.InvalidInput;
import io.muster.incident.domain.Incident;
import io.muster.incident.domain.IncidentStatus;
import io.muster.incident.domain.Severity;
import io.muster.common.Segments;
import io.muster.playbook.domain.Condition;
import io.muster.playbook.domain.Durations;
import io.muster.playbook.domain.Messages;
import io.muster.playbook.domain.PageStep;
import io.muster.playbook.domain.Phase;
import io.muster.playbook.domain.Playbook;
import io.muster.playbook.domain.Positions;
import io.muster.playbook.domain.ReadinessStep;
import io.muster.playbook.domain.Reminder;
import io.muster.playbook.domain.RollcallStep;
import io.muster.playbook.domain.Step;
import io.muster.playbook.domain.TaskDef;
import io.muster.playbook.domain.Template;
import io.muster.roster.domain.FacilityType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads playbooks ({@code playbooks/*.yaml}, one per incident type; the grammar is in
 * {@code playbooks/README.md}). Anything unknown (a field, role, position, placeholder, step) is
 * refused with {@code file:line: path: reason}; a playbook is loaded whole or not at all.
 */
public final class PlaybookLoader {
  private static final Set<String> TOP = Set.of("id", "name", "severity", "applies-to", "positions", "steps",
      "tasks", "reminders", "stand-down");
  private static final Set<String> STEP = Set.of("id", "when", "page", "rollcall", "readiness");
  private static final Set<String> PAGE = Set.of("to", "say", "ack");
  private static final Set<String> ACK = Set.of("required", "repeat", "every", "then", "call");
  private static final Set<String> ROLLCALL = Set.of("to", "ask", "answers", "need", "widen");
  private static final Set<String> ANSWER = Set.of("say", "eta");
  private static final Set<String> WIDEN = Set.of("after", "to");
  private static final Set<String> TASK = Set.of("id", "owner", "do", "due", "when");
  private static final Set<String> WHEN = Set.of("severity", "drill", "facility");
  private static final Set<String> REMINDERS = Set.of("to", "every", "say");

  /**
   * The most SMS segments any message may take, rendered with the sample values below and framed
   * as sent (see {@link #fits}); a longer message is refused at its template's line.
   */
  public static final int MAX_SEGMENTS = 3;

  /** A long facility name: 40 characters. */
  static final String SAMPLE_FACILITY = "St. Elizabeth Regional Medical Center NE";
  /**
   * A long summary: 160 characters. The API takes up to {@code TriggerIncident.SUMMARY_MAX} (500),
   * but 500 characters alone are 4 segments, so sizing against them would refuse every template
   * that uses {summary}; a summary is typed in an emergency, and one SMS worth of it is long.
   */
  static final String SAMPLE_SUMMARY = "Multi-vehicle crash on I-93 northbound near exit 12: about 20 injured,"
      + " 4 critical, first ambulances ETA 10 min. Open ED overflow; hold all elective surgery now.";
  /** A drill (framing "DRILL - [AB3CD] ", the longer case) at the longest severity. */
  private static final Incident SAMPLE = new Incident("sample", "AB3CD", "sample", "sample", SAMPLE_SUMMARY,
      Severity.CRITICAL, true, IncidentStatus.ACTIVE, Instant.EPOCH, "sample", null, null);

  private final Path file;
  private final Set<String> roles;
  private final Set<String> positions = new HashSet<>();
  /** The playbook's name, which {incident} renders as (empty while the name is missing or bad). */
  private String name = "";

  private PlaybookLoader(Path file, Set<String> roles) {
    this.file = file;
    this.roles = roles;
  }

  /** Every {@code *.yaml} in the folder, by id. */
  public static Map<String, Playbook> loadDir(Path dir, Set<String> knownRoles) {
    Map<String, Playbook> playbooks = new TreeMap<>();
    for (Path file : files(dir)) {
      Playbook playbook = load(file, knownRoles);
      if (playbooks.putIfAbsent(playbook.id(), playbook) != null) {
        throw new PlaybookException(file + ": id: '" + playbook.id() + "' is already used by another playbook");
      }
    }
    if (playbooks.isEmpty()) {
      throw new PlaybookException(dir + ": no playbooks (*.yaml) found");
    }
    return playbooks;
  }

  /** Checks every playbook in the folder; returns one line per problem (empty: all clean). */
  public static List<String> lint(Path dir, Set<String> knownRoles) {
    List<String> problems = new ArrayList<>();
    Map<String, Path> ids = new TreeMap<>();
    for (Path file : files(dir)) {
      try {
        Playbook playbook = load(file, knownRoles);
        Path other = ids.putIfAbsent(playbook.id(), file);
        if (other != null) {
          problems.add(file + ": id: '" + playbook.id() + "' is already used by " + other);
        }
      } catch (PlaybookException e) {
        problems.add(e.getMessage());
      }
    }
    return problems;
  }

  public static Playbook load(Path file, Set<String> knownRoles) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new PlaybookException(file + ": cannot be read: " + e.getMessage());
    }
    return new PlaybookLoader(file, knownRoles).playbook(YamlNode.parse(file, text));
  }

  private static List<Path> files(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new PlaybookException(dir + ": cannot be read: " + e.getMessage());
    }
  }

  private Playbook playbook(YamlNode root) {
    root.only(TOP);
    try {
      name = root.require("name").text();
    } catch (PlaybookException e) {
      name = ""; // reported below, in the usual order
    }
    if (root.has("positions")) {
      positions(root.get("positions"));
    }
    Map<String, List<String>> filled = new LinkedHashMap<>();
    if (root.has("positions")) {
      root.get("positions").entries().forEach((position, fillers) -> filled.put(position, roleList(fillers)));
    }
    List<Step> steps = steps(root.require("steps"));
    List<TaskDef> tasks = root.has("tasks") ? tasks(root.get("tasks")) : List.of();
    Reminder reminder = root.has("reminders") ? reminder(root.get("reminders")) : null;
    YamlNode standDown = root.require("stand-down").only(Set.of("say"));
    Playbook playbook = build(root, () -> new Playbook(root.require("id").text(), root.require("name").text(),
        severity(root.require("severity")), facilityTypes(root.get("applies-to")), filled, steps, tasks, reminder,
        template(standDown.require("say"))));
    fits(standDown.get("say"), playbook.standDown(), "", "");
    return playbook;
  }

  /** The positions a playbook activates, each filled by the first of its roles that someone holds. */
  private void positions(YamlNode node) {
    for (Map.Entry<String, YamlNode> e : node.entries().entrySet()) {
      if (!Positions.HICS.contains(e.getKey())) {
        throw node.keyNode(e.getKey()).error("unknown HICS position '" + e.getKey() + "'; known: " + Positions.HICS);
      }
      positions.add(e.getKey());
    }
  }

  private List<Step> steps(YamlNode node) {
    List<Step> steps = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    List<YamlNode> items = node.items();
    if (items.isEmpty()) {
      throw node.error("at least one step is required");
    }
    for (int i = 0; i < items.size(); i++) {
      YamlNode item = items.get(i).only(STEP);
      String id = item.has("id") ? item.get("id").text() : "step-" + (i + 1);
      if (!id.matches("[a-z][a-z0-9-]{0,63}") || !ids.add(id)) {
        throw (item.has("id") ? item.get("id") : item).error("step id '" + id + "' must be unique lowercase words joined by dashes");
      }
      steps.add(step(item, id, condition(item.get("when"))));
    }
    return steps;
  }

  private Step step(YamlNode item, String id, Condition when) {
    List<String> kinds = Stream.of("page", "rollcall", "readiness").filter(item::has).toList();
    if (kinds.size() != 1) {
      throw item.error("a step is exactly one of page, rollcall or readiness");
    }
    return switch (kinds.get(0)) {
      case "page" -> page(item.get("page"), id, when);
      case "rollcall" -> rollcall(item.get("rollcall"), id, when);
      default -> readiness(item.get("readiness"), id, when);
    };
  }

  private PageStep page(YamlNode node, String id, Condition when) {
    node.only(PAGE);
    PageStep.Ack ack = PageStep.Ack.NONE;
    YamlNode a = node.get("ack");
    if (a != null && !a.isMap()) {
      ack = a.bool() ? new PageStep.Ack(true, 0, Duration.ofMinutes(5), List.of()) : PageStep.Ack.NONE;
    } else if (a != null) {
      a.only(ACK);
      List<List<String>> then = new ArrayList<>();
      if (a.has("then")) {
        for (YamlNode level : a.get("then").items()) {
          then.add(to(level));
        }
      }
      YamlNode every = a.has("every") ? a.get("every") : null;
      PageStep.Ack parsed = build(a, () -> new PageStep.Ack(!a.has("required") || a.get("required").bool(),
          a.has("repeat") ? a.get("repeat").integer() : 0,
          every == null ? Duration.ofMinutes(5) : duration(every), then, a.has("call") && a.get("call").bool()));
      ack = parsed;
    }
    List<String> to = to(node.require("to"));
    Template say = template(node.require("say"));
    PageStep.Ack finalAck = ack;
    PageStep step = build(node, () -> new PageStep(id, when, to, say, finalAck));
    fits(node.get("say"), say, "", step.ack().required() ? " Reply 1 to acknowledge." : "");
    return step;
  }

  private RollcallStep rollcall(YamlNode node, String id, Condition when) {
    node.only(ROLLCALL);
    Map<Integer, RollcallStep.Answer> answers = new TreeMap<>();
    for (Map.Entry<String, YamlNode> e : node.require("answers").entries().entrySet()) {
      YamlNode answer = e.getValue().only(ANSWER);
      if (!e.getKey().matches("[1-9]")) {
        throw node.get("answers").keyNode(e.getKey()).error("answers are numbered 1 to 9, got '" + e.getKey() + "'");
      }
      answers.put(Integer.parseInt(e.getKey()), new RollcallStep.Answer(answer.require("say").text(),
          answer.has("eta") ? duration(answer.get("eta")) : null));
    }
    List<RollcallStep.Widen> widen = new ArrayList<>();
    if (node.has("widen")) {
      YamlNode w = node.get("widen");
      for (YamlNode level : w.isList() ? w.items() : List.of(w)) {
        level.only(WIDEN);
        widen.add(new RollcallStep.Widen(duration(level.require("after")), to(level.require("to"))));
      }
    }
    List<String> to = to(node.require("to"));
    Template ask = template(node.require("ask"));
    int need = node.require("need").integer();
    RollcallStep step = build(node, () -> new RollcallStep(id, when, to, ask, answers, need, widen));
    fits(node.get("ask"), ask, "", " " + step.menu() + ".");
    return step;
  }

  private ReadinessStep readiness(YamlNode node, String id, Condition when) {
    Map<String, String> changes = new TreeMap<>();
    for (Map.Entry<String, YamlNode> e : node.entries().entrySet()) {
      Set<String> allowed = ReadinessStep.FIELDS.get(e.getKey());
      if (allowed == null) {
        throw node.keyNode(e.getKey()).error("unknown readiness field '" + e.getKey() + "'; known: "
            + new java.util.TreeSet<>(ReadinessStep.FIELDS.keySet()));
      }
      String value = e.getValue().text();
      if (!allowed.contains(value)) {
        throw e.getValue().error("'" + value + "' is not one of " + new java.util.TreeSet<>(allowed));
      }
      changes.put(e.getKey(), value);
    }
    return build(node, () -> new ReadinessStep(id, when, changes));
  }

  private List<TaskDef> tasks(YamlNode node) {
    List<TaskDef> tasks = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (Map.Entry<String, YamlNode> phase : node.entries().entrySet()) {
      Phase p = phase(node.keyNode(phase.getKey()), phase.getKey());
      for (YamlNode t : phase.getValue().items()) {
        t.only(TASK);
        String id = t.require("id").text();
        if (!ids.add(id)) {
          throw t.get("id").error("task id '" + id + "' is used twice");
        }
        String owner = t.require("owner").text();
        if (!positions.contains(owner)) {
          throw t.get("owner").error("'" + owner + "' is not a position this playbook activates (see positions)");
        }
        TaskDef task = build(t, () -> new TaskDef(id, p, owner, template(t.require("do")), duration(t.require("due")),
            condition(t.get("when"))));
        fits(t.get("do"), task.text(), "OVERDUE task (" + owner + "): ", "");
        tasks.add(task);
      }
    }
    return tasks;
  }

  private Reminder reminder(YamlNode node) {
    node.only(REMINDERS);
    Reminder reminder = build(node, () -> new Reminder(to(node.require("to")), duration(node.require("every")),
        template(node.require("say"))));
    fits(node.get("say"), reminder.say(), "", "");
    return reminder;
  }

  private Condition condition(YamlNode node) {
    if (node == null) {
      return Condition.ALWAYS;
    }
    node.only(WHEN);
    Set<Severity> severities = new HashSet<>();
    if (node.has("severity")) {
      for (YamlNode s : node.get("severity").textNodes()) {
        severities.add(severity(at(node.get("severity"), s), s.text()));
      }
    }
    return new Condition(severities, node.has("drill") ? node.get("drill").bool() : null,
        facilityTypes(node.get("facility")));
  }

  /** Roles or activated positions. */
  private List<String> to(YamlNode node) {
    List<String> names = node.texts();
    for (YamlNode item : node.textNodes()) {
      String name = item.text();
      if (!roles.contains(name) && !positions.contains(name)) {
        String hint = Positions.HICS.contains(name) ? " (a position must be listed under positions to be paged)" : "";
        throw at(node, item).error("unknown role or position '" + name + "'" + hint);
      }
    }
    if (names.isEmpty()) {
      throw node.error("at least one role or position is required");
    }
    return names;
  }

  /** The roles that fill a position, in order of preference. */
  private List<String> roleList(YamlNode node) {
    for (YamlNode item : node.textNodes()) {
      if (!roles.contains(item.text())) {
        throw at(node, item).error("unknown role '" + item.text() + "'");
      }
    }
    return node.texts();
  }

  /** An item's line with its list's path, which names the field ("steps[0].page.to"). */
  private static YamlNode at(YamlNode list, YamlNode item) {
    return item.withPath(list.path());
  }

  private Template template(YamlNode node) {
    return build(node, () -> new Template(node.text()));
  }

  /**
   * Refuses, at the template's line, a message that would take more than {@link #MAX_SEGMENTS} SMS
   * as the engine sends it: rendered with the sample values, {@code before} and {@code after} the
   * engine's own words around it (the OVERDUE prefix, the acknowledgement hint, the answer menu),
   * framed as a drill.
   */
  private void fits(YamlNode node, Template template, String before, String after) {
    String sms = Messages.frame(SAMPLE, before + template.render(sampleValues(name)) + after);
    int segments = Segments.count(sms);
    if (segments > MAX_SEGMENTS) {
      String ucs2 = Segments.encoding(sms) == Segments.Encoding.UCS2
          ? "; '" + Segments.nonGsm7(sms) + "' is not in the GSM-7 alphabet, so the whole message is sent as UCS-2,"
              + " " + Segments.UCS2_PER_SEGMENT + " characters a segment"
          : "";
      throw node.error("this message would take " + segments + " SMS segments (" + Segments.encoding(sms).label()
          + "); the limit is " + MAX_SEGMENTS + " (sized as a drill with a " + SAMPLE_FACILITY.length()
          + "-character facility name and a " + SAMPLE_SUMMARY.length() + "-character summary" + ucs2 + ")");
    }
  }

  /** The values of Messages.values for the sample incident at a facility with the sample name. */
  static Map<String, String> sampleValues(String playbookName) {
    return Map.of("facility", SAMPLE_FACILITY, "summary", SAMPLE_SUMMARY, "ref", SAMPLE.ref(),
        "incident", playbookName, "severity", SAMPLE.severity().id());
  }

  private static Duration duration(YamlNode node) {
    try {
      return Durations.parse(node.text());
    } catch (IllegalArgumentException e) {
      throw node.error(e.getMessage());
    }
  }

  private static Severity severity(YamlNode node) {
    return severity(node, node.text());
  }

  private static Severity severity(YamlNode node, String value) {
    try {
      return Severity.of("severity", value);
    } catch (InvalidInput e) {
      throw node.error(e.reason());
    }
  }

  private static Set<FacilityType> facilityTypes(YamlNode node) {
    Set<FacilityType> types = new HashSet<>();
    if (node != null) {
      for (YamlNode t : node.textNodes()) {
        try {
          types.add(FacilityType.of(t.text()));
        } catch (IllegalArgumentException e) {
          throw at(node, t).error("'" + t.text() + "' is not a facility type (hospital, clinic, nursing-home)");
        }
      }
    }
    return types;
  }

  private static Phase phase(YamlNode node, String name) {
    for (Phase p : Phase.values()) {
      if (p.id().equals(name)) {
        return p;
      }
    }
    throw node.error("unknown phase '" + name + "'; phases: immediate, intermediate, extended, demobilization");
  }

  /** Runs a constructor; its IllegalArgumentException becomes an error at this node's line. */
  private static <T> T build(YamlNode node, java.util.function.Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (PlaybookException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw node.error(e.getMessage());
    }
  }
}
