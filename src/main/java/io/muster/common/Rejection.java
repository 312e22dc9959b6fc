package io.muster.common;

/** A command refused for a reason the caller can act on: not found, conflict, unknown reference. */
public class Rejection extends RuntimeException {
  private final ErrorCode code;
  private final String field;

  public Rejection(ErrorCode code, String field, String message) {
    super(message);
    this.code = code;
    this.field = field;
  }

  public ErrorCode code() {
    return code;
  }

  /** The field at fault, or null. */
  public String field() {
    return field;
  }
}
