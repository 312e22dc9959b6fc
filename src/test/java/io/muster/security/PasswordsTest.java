package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Password hashing")
class PasswordsTest {

  @Test
  @DisplayName("a password matches its own hash and no other password does")
  void matchesItsOwnHash() {
    Passwords passwords = new Passwords(4);
    String hash = passwords.hash("correct horse battery");

    assertThat(passwords.matches(hash, "correct horse battery")).isTrue();
    assertThat(passwords.matches(hash, "correct horse battery!")).isFalse();
  }

  @Test
  @DisplayName("an unknown user's password is checked against a hash of the configured cost, and never matches")
  void unknownUserCostsAFullCheck() {
    String dummy = Passwords.dummyHash(12);
    String cheaper = Passwords.dummyHash(6);

    assertThat(dummy).startsWith("$2y$12$").hasSize(60);
    assertThat(cheaper).startsWith("$2y$06$").hasSize(60);
    assertThat(OpenBSDBCrypt.checkPassword(cheaper, "anything at all".toCharArray())).isFalse();
    assertThat(new Passwords(4).matches(null, "anything at all")).isFalse();
  }
}
