package io.muster.notify.twilio;

import io.muster.sim.TwilioSigner;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;

@DisplayName("Twilio request signatures")
class TwilioSignatureTest {

  private static final String TOKEN = "12345";
  private static final String URL = "https://mycompany.com/myapp.php?foo=1&bar=2";

  /** The example of Twilio's webhook-security documentation (and of twilio-java's own tests). */
  private static Map<String, String> documentedParams(String caller) {
    return Map.of(
        "CallSid", "CA1234567890ABCDE",
        "Caller", caller,
        "Digits", "1234",
        "From", caller,
        "To", "+18005551212");
  }

  @ParameterizedTest(name = "caller {0} gives {1}")
  @CsvSource({
      "+12349013030, 0/KCTR6DLpKmkAf8muzZqo1nDgQ=",
      "+14158675309, RSOYDt4T1cUTdK1PDd93/VVr8B8="})
  @DisplayName("signing the documented example gives the documented signature, and it validates")
  void documentedVector(String caller, String documentedSignature) {
    Map<String, String> params = documentedParams(caller);

    assertThat(TwilioSigner.sign(TOKEN, URL, params)).isEqualTo(documentedSignature);
    assertThat(TwilioSignature.valid(TOKEN, URL, params, documentedSignature)).isTrue();
  }

  @Test
  @DisplayName("what sign produces, valid accepts")
  void roundTrip() {
    Map<String, String> params = Map.of("Body", "1 – on my way ✓", "From", "+15551230001", "MessageSid", "SM" + "0".repeat(32));
    String url = "https://muster.example.org/webhooks/twilio/sms?facility=north";

    assertThat(TwilioSignature.valid("secret", url, params, TwilioSigner.sign("secret", url, params))).isTrue();
  }

  @Test
  @DisplayName("a tampered parameter is refused")
  void tamperedParameter() {
    Map<String, String> params = new HashMap<>(documentedParams("+14158675309"));
    params.put("Digits", "9999");

    assertThat(TwilioSignature.valid(TOKEN, URL, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).isFalse();
  }

  @Test
  @DisplayName("an added parameter is refused")
  void addedParameter() {
    Map<String, String> params = new HashMap<>(documentedParams("+14158675309"));
    params.put("Extra", "x");

    assertThat(TwilioSignature.valid(TOKEN, URL, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).isFalse();
  }

  @Test
  @DisplayName("a signature made for another URL is refused")
  void wrongUrl() {
    Map<String, String> params = documentedParams("+14158675309");

    assertThat(TwilioSignature.valid(TOKEN, "https://mycompany.com/myapp.php?foo=1&bar=3", params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="))
        .isFalse();
    assertThat(TwilioSignature.valid(TOKEN, "https://attacker.example/myapp.php?foo=1&bar=2", params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="))
        .isFalse();
  }

  @Test
  @DisplayName("a signature made with another auth token is refused")
  void wrongToken() {
    assertThat(TwilioSignature.valid("54321", URL, documentedParams("+14158675309"), "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).isFalse();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @DisplayName("a missing signature is refused")
  void missingSignature(String signature) {
    assertThat(TwilioSignature.valid(TOKEN, URL, documentedParams("+14158675309"), signature)).isFalse();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @DisplayName("without an auth token nothing validates")
  void missingToken(String token) {
    assertThat(TwilioSignature.valid(token, URL, documentedParams("+14158675309"), "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).isFalse();
  }
}
