package io.muster.roster;

/** The roster file is wrong; the message says where and why. */
public class RosterException extends RuntimeException {
  public RosterException(String message) {
    super(message);
  }
}
