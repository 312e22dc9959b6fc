package io.muster.notify.twilio;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach Twilio: credentials, the sender (a From number in E.164 or a Messaging Service SID
 * starting with "MG"), an optional API base URL (the simulator, e.g. {@code http://127.0.0.1:8090};
 * null means https://api.twilio.com) and the HTTP timeouts.
 */
public record TwilioSettings(
    String accountSid,
    String authToken,
    String sender,
    String apiBaseUrl,
    Duration connectTimeout,
    Duration responseTimeout) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(10);

  public TwilioSettings {
    requireText(accountSid, "accountSid");
    requireText(authToken, "authToken");
    requireText(sender, "sender");
    if (!isMessagingService(sender) && !sender.matches("\\+[1-9][0-9]{6,14}")) {
      throw new IllegalArgumentException("sender: must be an E.164 number or a Messaging Service SID (MG…)");
    }
    apiBaseUrl = apiBaseUrl == null || apiBaseUrl.isBlank() ? null : checkedBaseUrl(apiBaseUrl.trim());
    connectTimeout = positiveOr(connectTimeout, DEFAULT_CONNECT_TIMEOUT, "connectTimeout");
    responseTimeout = positiveOr(responseTimeout, DEFAULT_RESPONSE_TIMEOUT, "responseTimeout");
  }

  /** Settings with the default timeouts. */
  public TwilioSettings(String accountSid, String authToken, String sender, String apiBaseUrl) {
    this(accountSid, authToken, sender, apiBaseUrl, null, null);
  }

  public boolean sendsThroughMessagingService() {
    return isMessagingService(sender);
  }

  /** Never print the auth token (records print every component by default). */
  @Override
  public String toString() {
    return "TwilioSettings[accountSid=" + accountSid + ", sender=" + sender + ", apiBaseUrl=" + apiBaseUrl
        + ", connectTimeout=" + connectTimeout + ", responseTimeout=" + responseTimeout + "]";
  }

  private static boolean isMessagingService(String sender) {
    return sender.startsWith("MG");
  }

  private static String checkedBaseUrl(String url) {
    URI uri = URI.create(url);
    if (uri.getScheme() == null || uri.getHost() == null || uri.getQuery() != null) {
      throw new IllegalArgumentException("apiBaseUrl: must be an absolute http(s) URL without a query");
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static Duration positiveOr(Duration value, Duration fallback, String field) {
    if (value == null) {
      return fallback;
    }
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + ": must be positive");
    }
    return value;
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + ": must not be blank");
    }
  }
}
