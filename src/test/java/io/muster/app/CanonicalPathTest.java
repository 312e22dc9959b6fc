package io.muster.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalPathTest {
  @ParameterizedTest
  @ValueSource(strings = {"/", "/api/v1/users", "/api/v1/incidents/6f1c2a8e-0000-4000-8000-000000000001/resolve",
      "/api/v1/facilities/eastside-clinic/readiness", "/api/v1/incidents/%27%3B%20DROP", "/api/v1/incidents/%C3%A9",
      "/api/v1/incidents/%252e"})
  @DisplayName("the API's own spelling of a path, with what must be encoded encoded, is canonical")
  void canonical(String path) {
    assertThat(ApiGuard.canonical(path)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "api/v1/users", "/api/v1/users/", "//api/v1/users", "/api//v1/users",
      "/api/v1/./users", "/api/v1/x/../users", "/api/v1/users/.", "/api/v1/users/..", "/api/v1/%75sers",
      "/%61pi/v1/users", "/api/v1/users;x=1", "/api;v=1/v1/users", "/api/v1%2Fusers", "/api/v1%2fusers",
      "/api/v1%5Cusers", "/api/v1\\users", "/api/v1/users%2E", "/api/v1/users%7E", "/api/v1/users%", "/api/v1/users%2",
      "/api/v1/users%zz", "/api/v1/incidents/..%2F..%2Fusers"})
  @DisplayName("any other spelling (slashes, dot segments, matrix parameters, needless or broken escapes) is not")
  void notCanonical(String path) {
    assertThat(ApiGuard.canonical(path)).isFalse();
  }
}
