package io.muster.readiness;

/** Event-bus addresses of the readiness feature. Commands are request/reply. */
public final class ReadinessAddresses {
  public static final String UPDATE = "readiness.cmd.update";
  public static final String GET = "readiness.cmd.get";
  public static final String REGION = "readiness.cmd.region";
  /** Command: EDXL-HAVE XML of one facility ({@code id}) or, without an id, of the region. */
  public static final String HAVE = "readiness.cmd.have";

  private ReadinessAddresses() {
  }
}
