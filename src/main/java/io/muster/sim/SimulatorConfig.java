package io.muster.sim;

/**
 * Settings of the {@link SmsSimulator}.
 *
 * @param host interface to listen on (loopback unless the phone view must be reachable elsewhere)
 * @param port port to listen on; 0 picks a free one
 * @param accountSid the account the simulated API accepts (HTTP Basic user)
 * @param authToken its auth token (HTTP Basic password, and the key webhooks are signed with)
 * @param sentDelayMs how long after acceptance a message becomes "sent"; negative: never
 * @param deliveredDelayMs how long after "sent" it becomes "delivered"; negative: never
 */
public record SimulatorConfig(
    String host, int port, String accountSid, String authToken, long sentDelayMs, long deliveredDelayMs) {

  public SimulatorConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host: must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: must be between 0 and 65535");
    }
    if (accountSid == null || !accountSid.startsWith("AC")) {
      throw new IllegalArgumentException("accountSid: must start with AC");
    }
    if (authToken == null || authToken.isBlank()) {
      throw new IllegalArgumentException("authToken: must not be blank");
    }
  }

  /** Loopback, a free port, and messages that are sent and delivered within a few milliseconds. */
  public static SimulatorConfig local(String accountSid, String authToken) {
    return new SimulatorConfig("127.0.0.1", 0, accountSid, authToken, 10, 10);
  }

  /** Never print the auth token. */
  @Override
  public String toString() {
    return "SimulatorConfig[host=" + host + ", port=" + port + ", accountSid=" + accountSid
        + ", sentDelayMs=" + sentDelayMs + ", deliveredDelayMs=" + deliveredDelayMs + "]";
  }
}
