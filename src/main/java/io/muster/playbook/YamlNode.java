package io.muster.playbook;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML node that knows its file, line and path, so that every problem in a playbook can be
 * reported as {@code file:line: path: reason}.
 */
final class YamlNode {
  private final Node node;
  private final Path file;
  private final String path;

  private YamlNode(Node node, Path file, String path) {
    this.node = node;
    this.file = file;
    this.path = path;
  }

  static YamlNode parse(Path file, String text) {
    try {
      Node root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
      if (!(root instanceof MappingNode)) {
        throw new PlaybookException(file + ":1: the file must be a mapping (id, name, steps, …)");
      }
      return new YamlNode(root, file, "");
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
      throw new PlaybookException(file + ":" + line + ": not valid YAML: " + e.getProblem());
    }
  }

  /** The same node reported under another path. */
  YamlNode withPath(String otherPath) {
    return new YamlNode(node, file, otherPath);
  }

  int line() {
    return node.getStartMark().getLine() + 1;
  }

  String path() {
    return path.isEmpty() ? "(top)" : path;
  }

  PlaybookException error(String reason) {
    return new PlaybookException(file + ":" + line() + ": " + path() + ": " + reason);
  }

  /** Refuses any key not in {@code allowed}, at that key's line. */
  YamlNode only(Set<String> allowed) {
    for (NodeTuple t : map().getValue()) {
      String key = key(t);
      if (!allowed.contains(key)) {
        throw new YamlNode(t.getKeyNode(), file, child(key)).error(
            "unknown field '" + key + "'; expected one of " + new java.util.TreeSet<>(allowed));
      }
    }
    return this;
  }

  boolean has(String key) {
    return get(key) != null;
  }

  YamlNode get(String key) {
    for (NodeTuple t : map().getValue()) {
      if (key.equals(key(t))) {
        return new YamlNode(t.getValueNode(), file, child(key));
      }
    }
    return null;
  }

  YamlNode require(String key) {
    YamlNode value = get(key);
    if (value == null) {
      throw new YamlNode(node, file, child(key)).error("is required");
    }
    return value;
  }

  String text() {
    if (!(node instanceof ScalarNode scalar) || scalar.getValue().isBlank()) {
      throw error("must be a text value");
    }
    return scalar.getValue();
  }

  int integer() {
    try {
      return Integer.parseInt(text());
    } catch (NumberFormatException e) {
      throw error("must be a whole number, got '" + text() + "'");
    }
  }

  boolean bool() {
    String t = text();
    if (!t.equals("true") && !t.equals("false")) {
      throw error("must be true or false, got '" + t + "'");
    }
    return Boolean.parseBoolean(t);
  }

  boolean isMap() {
    return node instanceof MappingNode;
  }

  boolean isList() {
    return node instanceof SequenceNode;
  }

  List<YamlNode> items() {
    if (!(node instanceof SequenceNode seq)) {
      throw error("must be a list");
    }
    List<YamlNode> items = new ArrayList<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      items.add(new YamlNode(seq.getValue().get(i), file, path + "[" + i + "]"));
    }
    return items;
  }

  /** A list of texts; a single text counts as a list of one. */
  List<String> texts() {
    return textNodes().stream().map(YamlNode::text).toList();
  }

  /** The items of a list of texts, each with its own line (a single text: itself). */
  List<YamlNode> textNodes() {
    return node instanceof ScalarNode ? List.of(this) : items();
  }

  /** The entries of a mapping, in file order. */
  Map<String, YamlNode> entries() {
    Map<String, YamlNode> entries = new LinkedHashMap<>();
    for (NodeTuple t : map().getValue()) {
      entries.put(key(t), new YamlNode(t.getValueNode(), file, child(key(t))));
    }
    return entries;
  }

  /** A node for a key itself (for errors about the key). */
  YamlNode keyNode(String key) {
    for (NodeTuple t : map().getValue()) {
      if (key.equals(key(t))) {
        return new YamlNode(t.getKeyNode(), file, child(key));
      }
    }
    return this;
  }

  private MappingNode map() {
    if (!(node instanceof MappingNode m)) {
      throw error("must be a mapping");
    }
    return m;
  }

  private String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private String key(NodeTuple t) {
    if (!(t.getKeyNode() instanceof ScalarNode k)) {
      throw new YamlNode(t.getKeyNode(), file, path).error("keys must be plain words");
    }
    return k.getValue();
  }
}
