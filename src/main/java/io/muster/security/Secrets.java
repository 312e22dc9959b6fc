package io.muster.security;

import io.muster.store.DataDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/** Where the token signing secret comes from: the environment, else a file outside the repository. */
public final class Secrets {
  private Secrets() {
  }

  /**
   * {@code jwtSecret} when set; else the file's content; else (a single node) a new random secret
   * written to the file, readable by its owner only (a folder it creates is too). A cluster must be
   * given one: each node making up its own would refuse the others' tokens.
   */
  public static String jwtSecret(String secret, String secretFile, boolean cluster) {
    if (secret != null && !secret.isBlank()) {
      return secret.strip();
    }
    Path file = Path.of(secretFile);
    try {
      if (Files.exists(file)) {
        return Files.readString(file).strip();
      }
      if (cluster) {
        throw new IllegalArgumentException("a cluster needs one token signing secret on every node: set MUSTER_JWT_SECRET"
            + " (32 characters or more) or MUSTER_JWT_SECRET_FILE; " + file + " does not exist");
      }
      byte[] bytes = new byte[48];
      new SecureRandom().nextBytes(bytes);
      String made = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      if (file.getParent() != null) {
        DataDirectory.create(file.getParent());
      }
      DataDirectory.writeNew(file, made + "\n");
      return made;
    } catch (IOException e) {
      throw new IllegalArgumentException("the token signing secret file " + file + " cannot be read or written: "
          + e.getMessage(), e);
    }
  }
}
