package io.muster.common;

/** Input that breaks a rule; names the field so the caller can say what was wrong and where. */
public class InvalidInput extends IllegalArgumentException {
  private final String field;

  public InvalidInput(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  public String field() {
    return field;
  }

  /** The message without the field prefix. */
  public String reason() {
    return getMessage().substring(field.length() + 2);
  }
}
