package io.muster.notify.twilio;

import com.twilio.security.RequestValidator;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Twilio's request signature ({@code X-Twilio-Signature}): Base64(HMAC-SHA1(authToken, url + every
 * form parameter sorted by name, name then value, no separators)).
 *
 * <p>{@link #sign} exists for the simulator and for tests, which must produce what Twilio produces;
 * {@link #valid} delegates to the SDK's {@link RequestValidator} so that Muster accepts exactly what
 * the SDK accepts (it also tries the URL with and without the default port, and compares in
 * constant time).
 */
public final class TwilioSignature {

  /** The header Twilio puts the signature in. */
  public static final String HEADER = "X-Twilio-Signature";

  private static final String HMAC_SHA1 = "HmacSHA1";

  private TwilioSignature() {}

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

  /** True when {@code signature} is what Twilio sends for these params at this URL. */
  public static boolean valid(String authToken, String url, Map<String, String> params, String signature) {
    if (authToken == null || authToken.isBlank() || url == null || signature == null || signature.isBlank()) {
      return false;
    }
    return new RequestValidator(authToken).validate(url, params == null ? Map.of() : params, signature);
  }
}
