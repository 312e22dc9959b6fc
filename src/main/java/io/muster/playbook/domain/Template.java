package io.muster.playbook.domain;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A message with named placeholders such as {facility}. Only known placeholders are allowed. */
public record Template(String text) {
  /** The placeholders a message may use. None of them carries patient information. */
  public static final Set<String> PLACEHOLDERS = Set.of("facility", "summary", "ref", "incident", "severity");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");

  public Template {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("a message must not be blank");
    }
    String rest = PLACEHOLDER.matcher(text).replaceAll("");
    if (rest.contains("{") || rest.contains("}")) {
      throw new IllegalArgumentException("a '{' or '}' without its pair; placeholders look like {facility}");
    }
    for (String name : placeholders(text)) {
      if (!PLACEHOLDERS.contains(name)) {
        throw new IllegalArgumentException("unknown placeholder {" + name + "}; known: " + PLACEHOLDERS);
      }
    }
  }

  public String render(Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(m.group(1), "")));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static Set<String> placeholders(String text) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
