package io.muster.notify.domain;

/**
 * What a message the provider failed means, by Twilio's error code: 21610 (the person opted out)
 * and 30005 / 30006 (unknown or unreachable number) are not retried, the number is marked, and the
 * page escalates at once; 30003 (handset unreachable) gets one delayed retry; 30007 (carrier
 * filtering) is flagged to administrators; anything else changes nothing more.
 */
public final class FailurePolicy {
  public static final int OPTED_OUT = 21610;
  public static final int HANDSET_UNREACHABLE = 30003;
  public static final int UNKNOWN_DESTINATION = 30005;
  public static final int LANDLINE_OR_UNREACHABLE_CARRIER = 30006;
  public static final int CARRIER_FILTERED = 30007;

  /** What to do. */
  public sealed interface Action { }

  /** Mark the number ({@code phoneState}: opted-out, unreachable) and escalate the page now. */
  public record MarkAndEscalate(String phoneState) implements Action { }

  /** Try once more, later (a retry is not retried). */
  public record RetryOnce() implements Action { }

  /** Mark the number filtered and tell administrators. */
  public record Flag(String note) implements Action { }

  public record Nothing() implements Action { }

  private FailurePolicy() {
  }

  public static Action of(Integer code) {
    if (code == null) {
      return new Nothing();
    }
    return switch (code) {
      case OPTED_OUT -> new MarkAndEscalate("opted-out");
      case UNKNOWN_DESTINATION, LANDLINE_OR_UNREACHABLE_CARRIER -> new MarkAndEscalate("unreachable");
      case HANDSET_UNREACHABLE -> new RetryOnce();
      case CARRIER_FILTERED -> new Flag(
          "the carrier filtered this message (30007): an administrator should review the sender and text");
      default -> new Nothing();
    };
  }
}
