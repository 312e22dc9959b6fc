package io.muster.security;

import io.muster.common.InvalidInput;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/** Password hashing with bcrypt (Bouncy Castle); only the hash is ever stored. */
public final class Passwords {
  public static final int MIN_LENGTH = 12;
  /** bcrypt reads at most 72 bytes; longer passwords would be silently cut. */
  public static final int MAX_BYTES = 72;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

  private final int cost;
  private final String dummy;

  public Passwords(int cost) {
    if (cost < 4 || cost > 31) {
      throw new IllegalArgumentException("configuration: security.bcryptCost must be 4 to 31, got " + cost);
    }
    this.cost = cost;
    this.dummy = dummyHash(cost);
  }

  /**
   * A well-formed hash at {@code cost} that no password matches: checking a password against it
   * costs what checking a real one does. It is made at the lowest cost and then labelled with
   * {@code cost} (which is all a check reads the cost from), so that a node does not spend a
   * full-cost hash on it at every start.
   */
  static String dummyHash(int cost) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    String cheap = OpenBSDBCrypt.generate(random(20).toCharArray(), salt, 4);
    return cheap.substring(0, 4) + String.format("%02d", cost) + cheap.substring(6);
  }

  public String hash(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return OpenBSDBCrypt.generate(password.toCharArray(), salt, cost);
  }

  /** Whether the password matches; with no hash (unknown user) it takes as long and says no. */
  public boolean matches(String hash, String password) {
    if (hash == null) {
      OpenBSDBCrypt.checkPassword(dummy, password.toCharArray());
      return false;
    }
    return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
  }

  /** Refuses a password too short to be safe or too long for bcrypt, naming the field. */
  public static void check(String field, String password) {
    if (password == null || password.length() < MIN_LENGTH) {
      throw new InvalidInput(field, "must be at least " + MIN_LENGTH + " characters");
    }
    if (password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new InvalidInput(field, "must be at most " + MAX_BYTES + " bytes (UTF-8)");
    }
  }

  public static String random(int length) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }
}
