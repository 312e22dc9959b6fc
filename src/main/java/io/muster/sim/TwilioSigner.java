package io.muster.sim;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature Twilio puts on its webhooks ({@code X-Twilio-Signature}): Base64(HMAC-SHA1(auth
 * token, the URL and every form parameter sorted by name, name then value, no separators)). The
 * simulator signs what it sends as Twilio does; tests use it to sign as Twilio would.
 */
public final class TwilioSigner {
  /** The header Twilio puts the signature in. */
  public static final String HEADER = "X-Twilio-Signature";
  private static final String HMAC_SHA1 = "HmacSHA1";

  private TwilioSigner() {
  }

  /** The signature Twilio would send for a form POST of {@code params} to {@code url}. */
  public static String sign(String authToken, String url, Map<String, String> params) {
    StringBuilder data = new StringBuilder(url);
    new TreeMap<>(params).forEach((name, value) -> data.append(name).append(value == null ? "" : value));
    try {
      Mac mac = Mac.getInstance(HMAC_SHA1);
      mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), HMAC_SHA1));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      // HmacSHA1 is a mandatory JCA algorithm: this only happens on a broken JVM.
      throw new IllegalStateException("HmacSHA1 unavailable", e);
    }
  }
}
