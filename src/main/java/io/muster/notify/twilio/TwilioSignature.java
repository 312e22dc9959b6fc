package io.muster.notify.twilio;

import com.twilio.security.RequestValidator;
import java.util.Map;

/**
 * Twilio's request signature ({@code X-Twilio-Signature}): Base64(HMAC-SHA1(authToken, url + every
 * form parameter sorted by name, name then value, no separators)).
 *
 * <p>{@link #valid} delegates to the SDK's {@link RequestValidator} so that Muster accepts exactly
 * what the SDK accepts (it also tries the URL with and without the default port, and compares in
 * constant time). The simulator signs as Twilio does with its own {@code TwilioSigner}.
 */
public final class TwilioSignature {

  /** The header Twilio puts the signature in. */
  public static final String HEADER = "X-Twilio-Signature";

  private TwilioSignature() {}

  /** True when {@code signature} is what Twilio sends for these params at this URL. */
  public static boolean valid(String authToken, String url, Map<String, String> params, String signature) {
    if (authToken == null || authToken.isBlank() || url == null || signature == null || signature.isBlank()) {
      return false;
    }
    return new RequestValidator(authToken).validate(url, params == null ? Map.of() : params, signature);
  }
}
