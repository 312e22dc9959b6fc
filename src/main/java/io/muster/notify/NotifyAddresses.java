package io.muster.notify;

/** Event-bus addresses of the notification feature. */
public final class NotifyAddresses {
  /** Command: an inbound SMS (validated webhook fields). */
  public static final String REPLY = "notify.cmd.reply";
  /** Command: a key pressed during a voice call (validated webhook fields). */
  public static final String VOICE = "notify.cmd.voice";
  /** Command: a delivery status callback. */
  public static final String STATUS = "notify.cmd.status";

  private NotifyAddresses() {
  }
}
