package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/**
 * The "refused, and nothing written" check of the integration tests: a bad request gets a 4xx with
 * a JSON error ({@code {"error":{"code","message","field"}}}) naming what is wrong, and what a refusal
 * must leave alone (rows, the journal, SMS sent) is the same after it as before.
 */
final class Refusal {
  private Refusal() {
  }

  /**
   * Sends {@code request} and checks that {@code state} (read before and after it) did not change;
   * returns the answer for the caller's checks of the error. {@code what} names the state.
   */
  static Http.Response writesNothing(String what, Supplier<?> state, Supplier<Http.Response> request) {
    Object before = state.get();
    Http.Response r = request.get();
    assertThat(state.get()).as("%s after the refused request (answered %d %s)", what, r.status(), r.body())
        .isEqualTo(before);
    return r;
  }

  /** The error of a refused request: a 4xx, a JSON content type, an error object with a code and a message. */
  static JsonObject jsonError(Http.Response r) {
    assertThat(r.status()).as("status; body: %s", r.body()).isBetween(400, 499);
    assertThat(r.header("content-type")).as("content type; body: %s", r.body()).startsWith("application/json");
    JsonObject error = r.json().getJsonObject("error");
    assertThat(error).as("error object in %s", r.body()).isNotNull();
    assertThat(error.getString("code")).as("error code in %s", r.body()).isNotBlank();
    assertThat(error.getString("message")).as("error message in %s", r.body()).isNotBlank();
    return error;
  }

  /**
   * The error of a refused request with this status and code; naming {@code field} and mentioning
   * {@code mentions} in its message when they are given (null: not checked).
   */
  static void assertError(Http.Response r, int status, String code, String field, String mentions) {
    assertThat(r.status()).as("status; body: %s", r.body()).isEqualTo(status);
    JsonObject error = jsonError(r);
    assertThat(error.getString("code")).as("error code in %s", r.body()).isEqualTo(code);
    if (field != null) {
      assertThat(error.getString("field")).as("error field in %s", r.body()).isEqualTo(field);
    }
    if (mentions != null) {
      assertThat(error.getString("message")).as("error message").containsIgnoringCase(mentions);
    }
  }
}
