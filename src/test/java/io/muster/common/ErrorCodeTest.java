package io.muster.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorCodeTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(ErrorCode.class)
  @DisplayName("every code is found again by its id, and its status maps back to a code of that status")
  void roundTrips(ErrorCode code) {
    assertThat(ErrorCode.ofId(code.id())).isSameAs(code);
    assertThat(ErrorCode.ofStatus(code.status()).status()).isEqualTo(code.status());
  }

  @Test
  @DisplayName("a bare 403 is 'forbidden'; a bad webhook signature is its own, more precise 403")
  void forbidden() {
    assertThat(ErrorCode.ofStatus(403)).isSameAs(ErrorCode.FORBIDDEN);
    assertThat(ErrorCode.BAD_SIGNATURE.status()).isEqualTo(403);
  }

  @Test
  @DisplayName("ids and statuses are the ones the API documents")
  void knownValues() {
    assertThat(ErrorCode.ofId("not_found")).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(ErrorCode.ofStatus(409)).isEqualTo(ErrorCode.CONFLICT);
    assertThat(ErrorCode.UNKNOWN_REFERENCE.status()).isEqualTo(422);
    assertThat(ErrorCode.INTERNAL.id()).isEqualTo("internal_error");
  }

  @Test
  @DisplayName("an unknown id is an internal error")
  void unknownId() {
    assertThat(ErrorCode.ofId("no_such_code")).isEqualTo(ErrorCode.INTERNAL);
    assertThat(ErrorCode.ofId(null)).isEqualTo(ErrorCode.INTERNAL);
  }

  @Test
  @DisplayName("an unmapped 4xx status is an invalid request and an unmapped 5xx an internal error")
  void unknownStatus() {
    assertThat(ErrorCode.ofStatus(418)).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(ErrorCode.ofStatus(502)).isEqualTo(ErrorCode.INTERNAL);
    assertThat(ErrorCode.ofStatus(599)).isEqualTo(ErrorCode.INTERNAL);
  }
}
