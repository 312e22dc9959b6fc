package io.muster.notify;

/**
 * A send or lookup that failed. {@code ambiguous} is true when the request may have reached the
 * provider (a timeout or a dropped connection after sending): such a message must be looked up
 * before it is sent again.
 */
public class SmsException extends RuntimeException {
  private final int httpStatus;
  private final Integer errorCode;
  private final boolean ambiguous;

  public SmsException(String message, int httpStatus, Integer errorCode, boolean ambiguous, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
    this.ambiguous = ambiguous;
  }

  /** HTTP status from the provider, or 0 when no answer came back. */
  public int httpStatus() { return httpStatus; }

  /** The provider's error code (Twilio's 21610, 30003…), or null. */
  public Integer errorCode() { return errorCode; }

  public boolean ambiguous() { return ambiguous; }

  /** Worth trying again later: throttled, a server error, or no answer at all. */
  public boolean retryable() {
    return httpStatus == 0 || httpStatus == 429 || httpStatus >= 500;
  }
}
