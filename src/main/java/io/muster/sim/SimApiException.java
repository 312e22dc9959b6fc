package io.muster.sim;

/**
 * A request to the simulator's own API ({@code /sim/api}, or its Java equivalents such as
 * {@link SmsSimulator#press}) that cannot be done: the HTTP status it answers, a short code such as
 * {@code not_in_progress}, and the field at fault, if any.
 */
public final class SimApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final String field;

  SimApiException(int status, String code, String message, String field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String field() {
    return field;
  }
}
