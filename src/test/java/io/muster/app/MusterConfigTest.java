package io.muster.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MusterConfigTest {

  private static MusterConfig fromEnv(Map<String, String> env) {
    return MusterConfig.from(MusterConfig.defaults(), env, new JsonObject());
  }

  @Test
  @DisplayName("with no overrides, the defaults run an embedded, unclustered node on port 8080 with the simulator")
  void defaults() {
    MusterConfig c = MusterConfig.of(new JsonObject());

    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.http().host()).isEqualTo("0.0.0.0");
    assertThat(c.http().publicBaseUrl()).isEqualTo("http://localhost:8080");
    assertThat(c.http().bodyLimitBytes()).isEqualTo(65536);
    assertThat(c.db().url()).startsWith("jdbc:h2:");
    assertThat(c.db().postgres()).isFalse();
    assertThat(c.db().poolSize()).isEqualTo(10);
    assertThat(c.sms().embeddedSimulator()).isTrue();
    assertThat(c.sms().twilio()).isFalse();
    assertThat(c.sms().simulatorPort()).isEqualTo(8090);
    assertThat(c.sms().breakerOpenSeconds()).as("the breaker's probe interval").isEqualTo(5);
    assertThat(c.sms().reconcileAfterSeconds()).isEqualTo(120);
    assertThat(c.db().url()).contains("WRITE_DELAY=0");
    assertThat(c.cluster().enabled()).isFalse();
    assertThat(c.cluster().members()).containsExactly("127.0.0.1:5701");
    assertThat(c.files().roster()).isEqualTo("config/roster.yaml");
    assertThat(c.files().playbooks()).isEqualTo("playbooks");
    assertThat(c.dispatch().pollMs()).isEqualTo(1000);
    assertThat(c.dispatch().leaseSeconds()).isEqualTo(30);
    assertThat(c.dispatch().sendThreads()).isEqualTo(8);
    assertThat(c.nodeId()).startsWith("node-");
  }

  @Test
  @DisplayName("nested overrides replace just the values they name")
  void nestedOverrides() {
    MusterConfig c = MusterConfig.of(new JsonObject()
        .put("http", new JsonObject().put("port", 0))
        .put("db", new JsonObject().put("url", "jdbc:postgresql://localhost/muster")));

    assertThat(c.http().port()).isZero();
    assertThat(c.http().host()).as("untouched sibling").isEqualTo("0.0.0.0");
    assertThat(c.db().postgres()).isTrue();
    assertThat(c.db().user()).isEqualTo("sa");
  }

  @Test
  @DisplayName("overrides given with dotted keys are applied too, as the from() documentation promises")
  void dottedOverrides() {
    MusterConfig c = MusterConfig.of(new JsonObject().put("http.port", 0).put("cluster.name", "test-cluster"));

    assertThat(c.http().port()).isZero();
    assertThat(c.cluster().name()).isEqualTo("test-cluster");
  }

  @Test
  @DisplayName("two nodes built from the defaults get different node ids unless one is given")
  void nodeIds() {
    assertThat(MusterConfig.of(new JsonObject()).nodeId()).isNotEqualTo(MusterConfig.of(new JsonObject()).nodeId());
    assertThat(MusterConfig.of(new JsonObject().put("nodeId", "n1")).nodeId()).isEqualTo("n1");
  }

  @Test
  @DisplayName("MUSTER_HTTP_PORT=9999 sets the HTTP port")
  void envPort() {
    assertThat(fromEnv(Map.of("MUSTER_HTTP_PORT", "9999")).http().port()).isEqualTo(9999);
  }

  @Test
  @DisplayName("MUSTER_CLUSTER_MEMBERS is a comma-separated list, spaces ignored")
  void envMembers() {
    MusterConfig c = fromEnv(Map.of("MUSTER_CLUSTER_MEMBERS", "a:1, b:2", "MUSTER_CLUSTER", "true"));

    assertThat(c.cluster().members()).containsExactly("a:1", "b:2");
    assertThat(c.cluster().enabled()).isTrue();
  }

  @Test
  @DisplayName("a Twilio account SID and auth token switch SMS to Twilio and the simulator off")
  void envTwilio() {
    MusterConfig c = fromEnv(Map.of("TWILIO_ACCOUNT_SID", "AC123", "TWILIO_AUTH_TOKEN", "secret"));

    assertThat(c.sms().twilio()).isTrue();
    assertThat(c.sms().embeddedSimulator()).isFalse();
    assertThat(c.sms().accountSid()).isEqualTo("AC123");
    assertThat(c.sms().authToken()).isEqualTo("secret");
  }

  @Test
  @DisplayName("with no Twilio account, SMS goes to the embedded simulator")
  void noTwilio() {
    MusterConfig c = fromEnv(Map.of("TWILIO_AUTH_TOKEN", "secret", "TWILIO_ACCOUNT_SID", "  "));

    assertThat(c.sms().embeddedSimulator()).isTrue();
    assertThat(c.sms().twilio()).isFalse();
  }

  @Test
  @DisplayName("a Twilio-compatible API base URL means neither real Twilio nor the embedded simulator")
  void apiBaseUrl() {
    MusterConfig c = fromEnv(Map.of("TWILIO_ACCOUNT_SID", "AC123", "TWILIO_AUTH_TOKEN", "secret",
        "TWILIO_API_BASE_URL", "http://127.0.0.1:9000"));

    assertThat(c.sms().twilio()).isFalse();
    assertThat(c.sms().embeddedSimulator()).isFalse();
    assertThat(c.sms().apiBaseUrl()).isEqualTo("http://127.0.0.1:9000");
  }

  @Test
  @DisplayName("unrelated and blank environment variables change nothing")
  void irrelevantEnv() {
    MusterConfig c = fromEnv(Map.of("PATH", "/usr/bin", "MUSTER_HTTP_PORT", " ", "HOME", "/root"));

    assertThat(c.http().port()).isEqualTo(8080);
  }

  @Test
  @DisplayName("explicit overrides win over the environment")
  void overridesWin() {
    MusterConfig c = MusterConfig.from(MusterConfig.defaults(), Map.of("MUSTER_HTTP_PORT", "9999"),
        new JsonObject().put("http", new JsonObject().put("port", 0)));

    assertThat(c.http().port()).isZero();
  }

  @Test
  @DisplayName("MUSTER_RECONCILE_AFTER_SECONDS sets when an unconfirmed message is looked up; 0 is refused")
  void reconcileAfter() {
    assertThat(fromEnv(Map.of("MUSTER_RECONCILE_AFTER_SECONDS", "30")).sms().reconcileAfterSeconds()).isEqualTo(30);
    assertThatThrownBy(() -> fromEnv(Map.of("MUSTER_RECONCILE_AFTER_SECONDS", "0")))
        .hasMessageContaining("sms.reconcileAfterSeconds");
  }

  @Test
  @DisplayName("MUSTER_HTTP_INSTANCES sets how many HTTP verticles share the port (one per core unless set); 0 or text is refused")
  void httpInstances() {
    assertThat(MusterConfig.of(new JsonObject()).http().instances())
        .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors()));
    assertThat(fromEnv(Map.of("MUSTER_HTTP_INSTANCES", "3")).http().instances()).isEqualTo(3);
    assertThat(MusterConfig.of(new JsonObject().put("http.instances", 1)).http().instances()).isEqualTo(1);
    assertThat(fromEnv(Map.of("MUSTER_HTTP_INSTANCES", "2")).boundTo(4321).http().instances())
        .as("kept once the listener is bound").isEqualTo(2);
    assertThatThrownBy(() -> fromEnv(Map.of("MUSTER_HTTP_INSTANCES", "0")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http.instances").hasMessageContaining("1 or more");
    assertThatThrownBy(() -> fromEnv(Map.of("MUSTER_HTTP_INSTANCES", "many")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http.instances").hasMessageContaining("'many'");
  }

  @Test
  @DisplayName("a public base URL with a trailing slash is kept without it")
  void trailingSlash() {
    assertThat(fromEnv(Map.of("MUSTER_PUBLIC_BASE_URL", "https://muster.example.org/")).http().publicBaseUrl())
        .isEqualTo("https://muster.example.org");
  }

  @Test
  @DisplayName("with port 0 and no public base URL, the URL is derived from the host and the port the node was given")
  void portZeroDerivesPublicBaseUrlWhenBound() {
    MusterConfig c = MusterConfig.of(new JsonObject().put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0)));
    assertThat(c.http().publicBaseUrl()).as("not known before the node listens").isNull();

    MusterConfig bound = c.boundTo(41234);
    assertThat(bound.http().port()).isEqualTo(41234);
    assertThat(bound.http().publicBaseUrl()).isEqualTo("http://127.0.0.1:41234");
    assertThat(bound.nodeId()).isEqualTo(c.nodeId());
    assertThat(bound.db()).isEqualTo(c.db());
  }

  @Test
  @DisplayName("a derived public base URL spells every interface as localhost and brackets an IPv6 host")
  void derivedBaseUrlHosts() {
    assertThat(fromEnv(Map.of("MUSTER_HTTP_PORT", "0")).boundTo(5555).http().publicBaseUrl())
        .isEqualTo("http://localhost:5555");
    assertThat(fromEnv(Map.of("MUSTER_HTTP_PORT", "0", "MUSTER_HTTP_HOST", "::1")).boundTo(5555).http().publicBaseUrl())
        .isEqualTo("http://[::1]:5555");
    assertThat(fromEnv(Map.of("MUSTER_HTTP_PORT", "9999")).http().publicBaseUrl()).isEqualTo("http://localhost:9999");
  }

  @Test
  @DisplayName("a configured public base URL is kept when the node is bound, whatever the port")
  void configuredBaseUrlKeptWhenBound() {
    MusterConfig c = fromEnv(Map.of("MUSTER_HTTP_PORT", "0", "MUSTER_PUBLIC_BASE_URL", "https://muster.example.org"));
    assertThat(c.boundTo(41234).http().publicBaseUrl()).isEqualTo("https://muster.example.org");
    assertThat(MusterConfig.of(new JsonObject()).boundTo(8080).http().publicBaseUrl()).isEqualTo("http://localhost:8080");
  }

  @Test
  @DisplayName("a non-numeric port is refused, naming the key and the value")
  void nonNumericPort() {
    assertThatThrownBy(() -> fromEnv(Map.of("MUSTER_HTTP_PORT", "eighty")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port")
        .hasMessageContaining("'eighty'");
  }

  @Test
  @DisplayName("the error for a non-numeric port tells http.port from cluster.port")
  void nonNumericPortFullKey() {
    assertThatThrownBy(() -> fromEnv(Map.of("MUSTER_HTTP_PORT", "eighty")))
        .hasMessageContaining("http.port");
    assertThatThrownBy(() -> fromEnv(Map.of("MUSTER_CLUSTER_PORT", "eighty")))
        .hasMessageContaining("cluster.port");
  }

  @Test
  @DisplayName("the environment does not change the base it was given")
  void baseUntouched() {
    JsonObject base = MusterConfig.defaults();

    MusterConfig.from(base, Map.of("MUSTER_HTTP_PORT", "9999"), new JsonObject());

    assertThat(base.getJsonObject("http").getInteger("port")).isEqualTo(8080);
  }

  @Test
  @DisplayName("load reads the YAML file over the defaults, then the environment over the file")
  void load(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("muster.yaml"), """
        http:
          port: 7070
          publicBaseUrl: https://muster.example.org/
        cluster:
          enabled: true
          members: ["10.0.0.1:5701", "10.0.0.2:5701"]
        dispatch:
          sendThreads: 2
        """);

    MusterConfig c = MusterConfig.load(file, Map.of("MUSTER_CLUSTER_NAME", "prod"));

    assertThat(c.http().port()).isEqualTo(7070);
    assertThat(c.http().host()).as("default kept").isEqualTo("0.0.0.0");
    assertThat(c.http().publicBaseUrl()).isEqualTo("https://muster.example.org");
    assertThat(c.cluster().enabled()).isTrue();
    assertThat(c.cluster().members()).containsExactly("10.0.0.1:5701", "10.0.0.2:5701");
    assertThat(c.cluster().name()).isEqualTo("prod");
    assertThat(c.dispatch().sendThreads()).isEqualTo(2);
    assertThat(c.dispatch().pollMs()).isEqualTo(1000);
  }

  @Test
  @DisplayName("load of the shipped config/muster.yaml gives the same values as the built-in defaults")
  void loadShipped() {
    MusterConfig shipped = MusterConfig.load(Path.of("config/muster.yaml"), Map.of("MUSTER_NODE_ID", "n"));
    MusterConfig defaults = MusterConfig.of(new JsonObject().put("nodeId", "n"));

    assertThat(shipped).isEqualTo(defaults);
  }

  @Test
  @DisplayName("load of a file that does not exist falls back to the defaults")
  void loadMissing(@TempDir Path dir) {
    assertThat(MusterConfig.load(dir.resolve("absent.yaml"), Map.of()).http().port()).isEqualTo(8080);
  }

  @Test
  @DisplayName("load of a file that is not YAML is refused, naming the file")
  void loadBroken(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("muster.yaml"), "http: [unclosed\n  port: : :\n");

    assertThatThrownBy(() -> MusterConfig.load(file, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  @DisplayName("the audit key, its file, the checkpoint file and the schema owner come from their environment variables")
  void auditAndOwnerFromEnv() {
    MusterConfig c = fromEnv(Map.of("MUSTER_AUDIT_KEY", "audit-key-value-0123456789abcdefgh",
        "MUSTER_AUDIT_KEY_FILE", "/etc/muster/audit-key", "MUSTER_AUDIT_CHECKPOINTS", "/var/log/muster/checkpoints.log",
        "MUSTER_DB_OWNER_USER", "muster_owner", "MUSTER_DB_OWNER_PASSWORD", "owner-password-value"));
    assertThat(c.security().auditKey()).isEqualTo("audit-key-value-0123456789abcdefgh");
    assertThat(c.security().auditKeyFile()).isEqualTo("/etc/muster/audit-key");
    assertThat(c.security().auditCheckpointFile()).isEqualTo("/var/log/muster/checkpoints.log");
    assertThat(c.db().ownerUser()).isEqualTo("muster_owner");
    assertThat(c.db().ownerPassword()).isEqualTo("owner-password-value");
    assertThat(c.toString()).doesNotContain("audit-key-value").doesNotContain("owner-password-value");
    MusterConfig defaults = MusterConfig.of(new JsonObject());
    assertThat(defaults.security().auditKeyFile()).isEqualTo("./data/audit-key");
    assertThat(defaults.security().auditCheckpointFile()).isEqualTo("./data/audit-checkpoints.log");
    assertThat(defaults.db().ownerUser()).isNull();
  }

  @Test
  @DisplayName("the configuration never prints its secrets (token secret, admin password, Twilio token, database password)")
  void secretsHidden() {
    MusterConfig config = MusterConfig.from(MusterConfig.defaults(), Map.of("MUSTER_JWT_SECRET", "jwt-secret-value-0123456789abcdef",
        "MUSTER_ADMIN_PASSWORD", "admin-password-value", "TWILIO_AUTH_TOKEN", "twilio-token-value",
        "MUSTER_DB_PASSWORD", "db-password-value", "TWILIO_ACCOUNT_SID", "AC123"), new JsonObject());
    assertThat(config.security().jwtSecret()).isEqualTo("jwt-secret-value-0123456789abcdef");
    assertThat(config.toString()).doesNotContain("jwt-secret-value").doesNotContain("admin-password-value")
        .doesNotContain("twilio-token-value").doesNotContain("db-password-value").contains("AC123");
  }
}
