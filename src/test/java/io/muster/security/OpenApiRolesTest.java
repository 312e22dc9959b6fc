package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OpenApiRolesTest {

  @Test
  @DisplayName("every operation of the API says which role it needs, and only login and about are public")
  void everyOperationHasARole() throws Exception {
    JsonNode api;
    try (InputStream in = getClass().getResourceAsStream("/openapi.yaml")) {
      api = new ObjectMapper(new YAMLFactory()).readTree(in);
    }
    List<String> publicOps = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    api.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
      JsonNode role = op.getValue().get("x-muster-role");
      String id = op.getValue().get("operationId").asText();
      if (role == null) {
        missing.add(id);
      } else if ("public".equals(role.asText())) {
        publicOps.add(id);
      } else {
        assertThat(Set.of("viewer", "coordinator", "commander", "admin")).as(id).contains(role.asText());
      }
    }));
    assertThat(missing).isEmpty();
    assertThat(publicOps).containsExactlyInAnyOrder("login", "about");
  }
}
