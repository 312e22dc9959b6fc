package io.muster.playbook;

/** A playbook file is wrong; the message names the file, where and why. */
public class PlaybookException extends RuntimeException {
  public PlaybookException(String message) {
    super(message);
  }
}
