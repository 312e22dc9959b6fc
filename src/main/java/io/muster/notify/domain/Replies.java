package io.muster.notify.domain;

import java.util.Locale;
import java.util.Set;

/** What staff text back. Case and surrounding spaces do not matter. */
public final class Replies {
  private static final Set<String> ACK = Set.of("1", "ACK", "YES", "Y", "OK");

  private Replies() {
  }

  public static boolean isAck(String body) {
    return body != null && ACK.contains(body.strip().toUpperCase(Locale.ROOT));
  }
}
