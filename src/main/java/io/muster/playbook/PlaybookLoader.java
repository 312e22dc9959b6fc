package io.muster.playbook;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.muster.common.InvalidInput;
import io.muster.incident.domain.Severity;
import io.muster.playbook.domain.PageStep;
import io.muster.playbook.domain.Playbook;
import io.muster.playbook.domain.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads playbooks from YAML files, one per incident type. A playbook with an unknown field, role
 * or placeholder is refused with its file (and line, where the parser knows it) and the reason.
 */
public final class PlaybookLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  // Plain classes, not records: Jackson reports an unknown field of a record at the end of its
  // mapping, of a class at the field's own line.
  static final class PageFile {
    public List<String> roles;
    public String say;
    public Boolean ack;
  }

  static final class StepFile {
    public PageFile page;
  }

  static final class StandDownFile {
    public String say;
  }

  static final class PlaybookFile {
    public String id;
    public String name;
    public String severity;
    public List<StepFile> steps;
    @JsonProperty("stand-down")
    public StandDownFile standDown;
  }

  private PlaybookLoader() {
  }

  /** Every {@code *.yaml} in the folder, by id. */
  public static Map<String, Playbook> loadDir(Path dir, Set<String> knownRoles) {
    Map<String, Playbook> playbooks = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        Playbook playbook = load(file, knownRoles);
        if (playbooks.putIfAbsent(playbook.id(), playbook) != null) {
          throw new PlaybookException(file + ": id: '" + playbook.id() + "' is already used by another playbook");
        }
      }
    } catch (IOException e) {
      throw new PlaybookException(dir + ": cannot be read: " + e.getMessage());
    }
    if (playbooks.isEmpty()) {
      throw new PlaybookException(dir + ": no playbooks (*.yaml) found");
    }
    return playbooks;
  }

  public static Playbook load(Path file, Set<String> knownRoles) {
    PlaybookFile raw;
    try {
      raw = YAML.readValue(Files.readString(file), PlaybookFile.class);
    } catch (JsonProcessingException e) {
      throw new PlaybookException(file + ":" + e.getLocation().getLineNr() + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new PlaybookException(file + ": cannot be read: " + e.getMessage());
    }
    try {
      return toPlaybook(raw, knownRoles);
    } catch (IllegalArgumentException e) {
      throw new PlaybookException(file + ": " + e.getMessage());
    }
  }

  private static Playbook toPlaybook(PlaybookFile raw, Set<String> knownRoles) {
    if (raw == null) {
      throw new IllegalArgumentException("the file is empty");
    }
    Severity severity = raw.severity == null ? null : severity(raw.severity);
    List<PageStep> steps = new ArrayList<>();
    List<StepFile> rawSteps = raw.steps == null ? List.of() : raw.steps;
    for (int i = 0; i < rawSteps.size(); i++) {
      steps.add(step(i, rawSteps.get(i), knownRoles));
    }
    Template standDown = raw.standDown == null ? null : template("stand-down.", raw.standDown.say);
    return new Playbook(raw.id, raw.name, severity, steps, standDown);
  }

  private static PageStep step(int index, StepFile step, Set<String> knownRoles) {
    String where = "steps[" + index + "].page.";
    if (step == null || step.page == null) {
      throw new IllegalArgumentException("steps[" + index + "]: must be a page step");
    }
    PageFile page = step.page;
    for (String role : page.roles == null ? List.<String>of() : page.roles) {
      if (!knownRoles.contains(role)) {
        throw new IllegalArgumentException(where + "roles: unknown role '" + role + "'");
      }
    }
    try {
      return new PageStep(page.roles, template(where, page.say), page.ack == null || page.ack);
    } catch (IllegalArgumentException e) {
      throw prefixed(where, e);
    }
  }

  private static Template template(String where, String text) {
    try {
      return new Template(text);
    } catch (IllegalArgumentException e) {
      throw prefixed(where, e);
    }
  }

  private static IllegalArgumentException prefixed(String where, IllegalArgumentException e) {
    return e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + e.getMessage(), e);
  }

  private static Severity severity(String value) {
    try {
      return Severity.of("severity", value);
    } catch (InvalidInput e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }
}
