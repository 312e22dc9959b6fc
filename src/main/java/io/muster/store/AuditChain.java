package io.muster.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How an audit row's hash is made. Rows written before the audit key existed carry the plain
 * SHA-256 chain ({@link #plain}); from the anchor row on ({@code keyed_from} in {@code audit_head})
 * each hash is an HMAC-SHA256 with the chain key over the row's fields and the previous hash
 * ({@link #keyed}), so nobody without the key can recompute the chain after editing a row.
 *
 * <p>The keyed input is length-prefixed, field by field: no value can move bytes into its
 * neighbour and keep the hash. The row's {@code seq} is not in the keyed input: its place is fixed
 * by the previous hash it chains to, and leaving it out lets the verifier tell an inserted row (the
 * next row still follows the one before it) from rows that were renumbered.
 */
public final class AuditChain {
  public static final String GENESIS = "0".repeat(64);
  /** The action of the anchor row, the first keyed row. */
  public static final String ANCHOR_ACTION = "audit.keyed";
  private static final byte[] DOMAIN = "muster-audit-row/1".getBytes(StandardCharsets.UTF_8);

  private final SecretKeySpec key;

  /** {@code chainKey}: 32 bytes or more, derived from the audit key (never the database's). */
  public AuditChain(byte[] chainKey) {
    if (chainKey == null || chainKey.length < 32) {
      throw new IllegalArgumentException("chainKey: must be at least 32 bytes");
    }
    this.key = new SecretKeySpec(chainKey.clone(), "HmacSHA256");
  }

  /** The hash row {@code seq} must carry: plain before {@code keyedFrom} (null: none keyed yet), keyed from it on. */
  public String hash(long seq, Long keyedFrom, String prev, Instant at, Audit.Entry e) {
    return keyedFrom != null && seq >= keyedFrom ? keyed(prev, at, e) : plain(prev, seq, at, e);
  }

  /** HMAC-SHA256 over the row's fields and the previous row's hash. */
  public String keyed(String prev, Instant at, Audit.Entry e) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return HexFormat.of().formatHex(mac.doFinal(canonical(prev, at, e)));
    } catch (GeneralSecurityException ex) {
      throw new IllegalStateException("HmacSHA256 is not available", ex);
    }
  }

  /** The chain as it was before the key: SHA-256 over the fields joined by U+001F, the seq included. */
  public static String plain(String prev, long seq, Instant at, Audit.Entry e) {
    return Audit.sha256(String.join("\u001f", prev, Long.toString(seq), Long.toString(at.toEpochMilli()), e.actor(),
        e.origin(), e.action(), String.valueOf(e.target()), e.outcome(), e.detail(), String.valueOf(e.journalSeq())));
  }

  private static byte[] canonical(String prev, Instant at, Audit.Entry e) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + e.detail().length());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(DOMAIN);
      field(out, prev);
      out.writeLong(at.toEpochMilli());
      field(out, e.actor());
      field(out, e.origin());
      field(out, e.action());
      field(out, e.target());
      field(out, e.outcome());
      field(out, e.detail());
      out.writeBoolean(e.journalSeq() != null);
      out.writeLong(e.journalSeq() == null ? 0 : e.journalSeq());
    } catch (IOException impossible) {
      throw new IllegalStateException(impossible);
    }
    return bytes.toByteArray();
  }

  private static void field(DataOutputStream out, String value) throws IOException {
    if (value == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }
}
