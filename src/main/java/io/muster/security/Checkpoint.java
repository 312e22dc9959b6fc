package io.muster.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muster.store.AuditWalk;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;

/**
 * A signed statement of the audit log's head at one moment, kept outside the database: "at
 * {@code at}, node {@code node} saw {@code seq} rows ending in {@code hash}, keyed from row
 * {@code keyedFrom}", signed with Ed25519 under the audit key's checkpoint key. One JSON line, the
 * same in the checkpoint file and in the node's log; the signature covers {@link #message()}.
 */
public record Checkpoint(long seq, String hash, Long keyedFrom, Instant at, String node, String signature) {
  public static final String FORMAT = "muster-audit-checkpoint/1";
  private static final ObjectMapper JSON = new ObjectMapper();

  public Checkpoint {
    if (seq < 0 || hash == null || at == null || node == null) {
      throw new IllegalArgumentException("checkpoint: seq, hash, at and node are required");
    }
  }

  /** A new checkpoint signed with the audit key's checkpoint key. */
  public static Checkpoint signed(long seq, String hash, Long keyedFrom, Instant at, String node, AuditKey key) {
    Checkpoint unsigned = new Checkpoint(seq, hash, keyedFrom, at.truncatedTo(ChronoUnit.MILLIS), node, "");
    String sig = Base64.getUrlEncoder().withoutPadding().encodeToString(key.sign(unsigned.message()));
    return new Checkpoint(unsigned.seq, unsigned.hash, unsigned.keyedFrom, unsigned.at, unsigned.node, sig);
  }

  /** What is signed: the format and every field, one per line. */
  public byte[] message() {
    return String.join("\n", FORMAT, Long.toString(seq), hash, String.valueOf(keyedFrom), at.toString(), node)
        .getBytes(StandardCharsets.UTF_8);
  }

  public boolean verifies(byte[] publicKey) {
    try {
      return AuditKey.verify(publicKey, message(), Base64.getUrlDecoder().decode(signature));
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
  }

  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode().put("checkpoint", FORMAT).put("seq", seq).put("hash", hash);
    if (keyedFrom == null) {
      o.putNull("keyedFrom");
    } else {
      o.put("keyedFrom", keyedFrom);
    }
    return o.put("at", at.toString()).put("node", node).put("sig", signature);
  }

  /** One line of JSON. */
  public String line() {
    return toJson().toString();
  }

  /** "checkpoint of 2026-12-07T14:02:10Z signed by node-a", for messages. */
  public String describe() {
    return "checkpoint of " + at.truncatedTo(ChronoUnit.SECONDS) + " signed by " + node;
  }

  /** "1,204 rows ending in 3fa9c21b07d4…". */
  public String says() {
    return AuditWalk.n(seq) + " rows ending in " + AuditWalk.shortHash(hash);
  }

  /**
   * The checkpoint on a line of a checkpoint file or of a log (the JSON after the first brace), or
   * empty when the line carries none; throws {@link IllegalArgumentException} when it claims to
   * carry one and is malformed.
   */
  public static Optional<Checkpoint> parse(String line) {
    if (!line.contains("\"" + FORMAT + "\"")) {
      return Optional.empty();
    }
    try {
      JsonNode j = JSON.readTree(line.substring(line.indexOf('{')));
      JsonNode keyed = j.get("keyedFrom");
      return Optional.of(new Checkpoint(j.get("seq").asLong(-1), j.get("hash").asText(null),
          keyed == null || keyed.isNull() ? null : keyed.asLong(), Instant.parse(j.get("at").asText()),
          j.get("node").asText(null), j.get("sig").asText("")));
    } catch (Exception e) {
      throw new IllegalArgumentException("not a well-formed checkpoint: " + e.getMessage(), e);
    }
  }
}
