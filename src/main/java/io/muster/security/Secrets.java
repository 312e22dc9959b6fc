package io.muster.security;

import io.muster.store.DataDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Where a node's secrets come from: the environment, else a file outside the repository and the
 * database. A single node makes one up (a file readable by its owner only; a folder it creates for
 * it is too, see {@link DataDirectory}); every node of a cluster must be given the same one.
 */
public final class Secrets {
  /** A kind of secret: what it is called, the variables that give it, what it is for when shared. */
  public record Kind(String what, String variable, String fileVariable, String shared) { }

  public static final Kind JWT = new Kind("token signing secret", "MUSTER_JWT_SECRET", "MUSTER_JWT_SECRET_FILE",
      "each node making up its own would refuse the others' tokens");
  public static final Kind AUDIT = new Kind("audit key", "MUSTER_AUDIT_KEY", "MUSTER_AUDIT_KEY_FILE",
      "each node making up its own would write an audit chain the others' key cannot verify");
  public static final int MIN_LENGTH = 32;

  private Secrets() {
  }

  /** The token signing secret (see {@link #get}). */
  public static String jwtSecret(String secret, String secretFile, boolean cluster) {
    return get(JWT, secret, secretFile, cluster);
  }

  /** The audit key (see {@link #get}); checked to be at least {@value #MIN_LENGTH} characters. */
  public static String auditKey(String key, String keyFile, boolean cluster) {
    return longEnough(AUDIT, get(AUDIT, key, keyFile, cluster));
  }

  /** The audit key when it is given or its file exists; never makes one (for the verifier). */
  public static String existingAuditKey(String key, String keyFile) {
    if (key != null && !key.isBlank()) {
      return longEnough(AUDIT, key.strip());
    }
    Path file = Path.of(keyFile);
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("no " + AUDIT.what() + ": set " + AUDIT.variable() + " or "
          + AUDIT.fileVariable() + " to the one the nodes use (" + file + " does not exist)");
    }
    return longEnough(AUDIT, read(AUDIT, file));
  }

  /**
   * {@code value} when set; else the file's content; else (a single node) a new random secret
   * written to the file, readable by its owner only. A cluster must be given one.
   */
  public static String get(Kind kind, String value, String fileName, boolean cluster) {
    if (value != null && !value.isBlank()) {
      return value.strip();
    }
    Path file = Path.of(fileName);
    if (Files.exists(file)) {
      return read(kind, file);
    }
    if (cluster) {
      throw new IllegalArgumentException("a cluster needs one " + kind.what() + " on every node (" + kind.shared()
          + "): set " + kind.variable() + " (" + MIN_LENGTH + " characters or more) or " + kind.fileVariable() + "; "
          + file + " does not exist");
    }
    byte[] bytes = new byte[48];
    new SecureRandom().nextBytes(bytes);
    String made = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    try {
      if (file.getParent() != null) {
        DataDirectory.create(file.getParent());
      }
      DataDirectory.writeNew(file, made + "\n");
    } catch (IOException e) {
      throw new IllegalArgumentException("the " + kind.what() + " file " + file + " cannot be written: "
          + e.getMessage(), e);
    }
    return made;
  }

  private static String read(Kind kind, Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException("the " + kind.what() + " file " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static String longEnough(Kind kind, String secret) {
    if (secret.length() < MIN_LENGTH) {
      throw new IllegalArgumentException("the " + kind.what() + " must be at least " + MIN_LENGTH + " characters ("
          + kind.variable() + " or " + kind.fileVariable() + "): anyone who can read the database could guess a"
          + " shorter one");
    }
    return secret;
  }
}
