package io.muster.notify;

/**
 * What the provider says of a message or call it accepted, when asked: its status as the provider
 * names it (Twilio's {@code delivered}, {@code undelivered}, {@code completed}…) and its error code, if any.
 */
public record ProviderStatus(String status, Integer errorCode) {
  public ProviderStatus {
    if (status == null || status.isBlank()) {
      throw new IllegalArgumentException("status: must not be blank");
    }
  }
}
