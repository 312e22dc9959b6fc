package io.muster.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Muster's configuration: built-in defaults, then {@code config/muster.yaml} (or the file named
 * with {@code -conf}), then environment variables, then (tests) explicit overrides.
 */
public record MusterConfig(String nodeId, Http http, Database db, Sms sms, Cluster cluster, Files files,
                           Dispatch dispatch, Security security) {

  public record Http(String host, int port, String publicBaseUrl, int bodyLimitBytes) { }

  public record Database(String url, String user, String password, int poolSize) {
    public boolean postgres() {
      return url.startsWith("jdbc:postgresql:");
    }

    @Override
    public String toString() {
      return "Database[url=" + url + ", user=" + user + ", password=<hidden>, poolSize=" + poolSize + "]";
    }
  }

  /**
   * SMS through Twilio. With no account configured, the built-in simulator takes its place
   * ({@code simulatorPort}); {@code apiBaseUrl} points the SDK at another Twilio-compatible API.
   * {@code messagesPerSecond} is the whole cluster's send budget (0: unpaced); unset, it is 1 with
   * a Twilio account (a long code's rate) and unpaced with the simulator.
   */
  public record Sms(String accountSid, String authToken, String from, String messagingServiceSid,
                    String apiBaseUrl, boolean embeddedSimulator, String simulatorHost, int simulatorPort,
                    double messagesPerSecond, int undeliveredRetrySeconds, int breakerOpenSeconds) {
    public boolean twilio() {
      return apiBaseUrl == null && !embeddedSimulator;
    }

    @Override
    public String toString() {
      return "Sms[accountSid=" + accountSid + ", authToken=<hidden>, from=" + from + ", messagingServiceSid="
          + messagingServiceSid + ", apiBaseUrl=" + apiBaseUrl + ", embeddedSimulator=" + embeddedSimulator
          + ", messagesPerSecond=" + messagesPerSecond + "]";
    }
  }

  /**
   * Cluster mode. {@code host}:{@code port}: where Hazelcast listens (this node's address or a name of
   * it, never every interface); {@code eventBusHost}:{@code eventBusPort}: where the event bus listens
   * (default: {@code host}, 5702). Both ports are for the other nodes only. The event bus runs TLS
   * both ways with {@code tlsCert}/{@code tlsKey} (this node's) and {@code tlsCa} (the cluster's CA):
   * PEM files that {@code muster cluster-certs} makes.
   */
  public record Cluster(boolean enabled, String name, String host, int port, List<String> members,
                        String eventBusHost, int eventBusPort, String tlsCert, String tlsKey, String tlsCa) { }

  public record Files(String roster, String playbooks, String readiness) { }

  public record Dispatch(long pollMs, int leaseSeconds, int sendThreads) { }

  /**
   * Sign-in and limits. The token signing secret comes from {@code jwtSecret} (environment
   * {@code MUSTER_JWT_SECRET}) or the file {@code jwtSecretFile}, which a single node creates when
   * missing; every node of a cluster needs the same secret. {@code adminPassword} is used once, when
   * the first administrator is created (unset: a random one, printed at that start only).
   * {@code allowedOrigins}: pages that may open the live websocket besides the node's own.
   * {@code requestsPerSecond}/{@code burst}: each user's or key's budget on the API, per node.
   */
  public record Security(String jwtSecret, String jwtSecretFile, String issuer, int tokenMinutes, String adminPassword,
                         List<String> allowedOrigins, double requestsPerSecond, int burst, int loginsPerMinute,
                         int bcryptCost) {
    @Override
    public String toString() {
      return "Security[issuer=" + issuer + ", tokenMinutes=" + tokenMinutes + ", allowedOrigins=" + allowedOrigins
          + ", requestsPerSecond=" + requestsPerSecond + ", burst=" + burst + "]";
    }
  }

  private static final Map<String, String> ENV = Map.ofEntries(
      Map.entry("MUSTER_NODE_ID", "nodeId"),
      Map.entry("MUSTER_HTTP_HOST", "http.host"),
      Map.entry("MUSTER_HTTP_PORT", "http.port"),
      Map.entry("MUSTER_PUBLIC_BASE_URL", "http.publicBaseUrl"),
      Map.entry("MUSTER_DB_URL", "db.url"),
      Map.entry("MUSTER_DB_USER", "db.user"),
      Map.entry("MUSTER_DB_PASSWORD", "db.password"),
      Map.entry("MUSTER_CLUSTER", "cluster.enabled"),
      Map.entry("MUSTER_CLUSTER_NAME", "cluster.name"),
      Map.entry("MUSTER_CLUSTER_HOST", "cluster.host"),
      Map.entry("MUSTER_CLUSTER_PORT", "cluster.port"),
      Map.entry("MUSTER_CLUSTER_MEMBERS", "cluster.members"),
      Map.entry("MUSTER_EVENTBUS_HOST", "cluster.eventBusHost"),
      Map.entry("MUSTER_EVENTBUS_PORT", "cluster.eventBusPort"),
      Map.entry("MUSTER_CLUSTER_TLS_CERT", "cluster.tlsCert"),
      Map.entry("MUSTER_CLUSTER_TLS_KEY", "cluster.tlsKey"),
      Map.entry("MUSTER_CLUSTER_TLS_CA", "cluster.tlsCa"),
      Map.entry("MUSTER_SIMULATOR_PORT", "sms.simulatorPort"),
      Map.entry("MUSTER_POLL_MS", "dispatch.pollMs"),
      Map.entry("MUSTER_SMS_MPS", "sms.messagesPerSecond"),
      Map.entry("MUSTER_LEASE_SECONDS", "dispatch.leaseSeconds"),
      Map.entry("MUSTER_ROSTER", "files.roster"),
      Map.entry("MUSTER_PLAYBOOKS", "files.playbooks"),
      Map.entry("MUSTER_READINESS", "files.readiness"),
      Map.entry("TWILIO_ACCOUNT_SID", "sms.accountSid"),
      Map.entry("TWILIO_AUTH_TOKEN", "sms.authToken"),
      Map.entry("TWILIO_FROM", "sms.from"),
      Map.entry("TWILIO_MESSAGING_SERVICE_SID", "sms.messagingServiceSid"),
      Map.entry("TWILIO_API_BASE_URL", "sms.apiBaseUrl"),
      Map.entry("MUSTER_JWT_SECRET", "security.jwtSecret"),
      Map.entry("MUSTER_JWT_SECRET_FILE", "security.jwtSecretFile"),
      Map.entry("MUSTER_ADMIN_PASSWORD", "security.adminPassword"),
      Map.entry("MUSTER_ALLOWED_ORIGINS", "security.allowedOrigins"),
      Map.entry("MUSTER_RATE_PER_SECOND", "security.requestsPerSecond"),
      Map.entry("MUSTER_RATE_BURST", "security.burst"));

  static JsonObject defaults() {
    return new JsonObject()
        .put("http", new JsonObject().put("host", "0.0.0.0").put("port", 8080)
            .put("publicBaseUrl", "http://localhost:8080").put("bodyLimitBytes", 65536))
        .put("db", new JsonObject()
            .put("url", "jdbc:h2:file:./data/muster;LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE")
            .put("user", "sa").put("password", "").put("poolSize", 10))
        .put("sms", new JsonObject().put("from", "+15005550006").put("simulatorHost", "127.0.0.1")
            .put("simulatorPort", 8090).put("undeliveredRetrySeconds", 120).put("breakerOpenSeconds", 10))
        .put("cluster", new JsonObject().put("enabled", false).put("name", "muster").put("host", "127.0.0.1")
            .put("port", 5701).put("members", new JsonArray().add("127.0.0.1:5701")).put("eventBusPort", 5702))
        .put("files", new JsonObject().put("roster", "config/roster.yaml").put("playbooks", "playbooks")
            .put("readiness", "config/readiness.yaml"))
        .put("dispatch", new JsonObject().put("pollMs", 1000).put("leaseSeconds", 30).put("sendThreads", 8))
        .put("security", new JsonObject().put("jwtSecretFile", "./data/jwt-secret").put("issuer", "muster")
            .put("tokenMinutes", 15).put("allowedOrigins", new JsonArray()).put("requestsPerSecond", 20)
            .put("burst", 100).put("loginsPerMinute", 10).put("bcryptCost", 12));
  }

  /** Defaults, the file (if it exists), the environment. */
  public static MusterConfig load(Path file, Map<String, String> env) {
    JsonObject json = defaults();
    if (file != null && java.nio.file.Files.exists(file)) {
      json.mergeIn(readYaml(file), true);
    }
    return from(json, env, new JsonObject());
  }

  /** Defaults, the environment, then the overrides (dotted or nested keys). */
  public static MusterConfig from(JsonObject base, Map<String, String> env, JsonObject overrides) {
    JsonObject json = base.copy();
    env.forEach((name, value) -> {
      String path = ENV.get(name);
      if (path != null && !value.isBlank()) {
        set(json, path, value);
      }
    });
    overrides.forEach(entry -> {
      if (entry.getKey().contains(".")) {
        set(json, entry.getKey(), entry.getValue());
      } else {
        json.mergeIn(new JsonObject().put(entry.getKey(), entry.getValue()), true);
      }
    });
    return build(json);
  }

  /** Defaults and overrides only, for tests: the machine's environment does not leak in. */
  public static MusterConfig of(JsonObject overrides) {
    return from(defaults(), Map.of(), overrides);
  }

  private static MusterConfig build(JsonObject j) {
    JsonObject http = j.getJsonObject("http");
    JsonObject db = j.getJsonObject("db");
    JsonObject sms = j.getJsonObject("sms");
    JsonObject cluster = j.getJsonObject("cluster");
    JsonObject files = j.getJsonObject("files");
    JsonObject dispatch = j.getJsonObject("dispatch");
    JsonObject security = j.getJsonObject("security");
    boolean twilioAccount = present(sms.getString("accountSid")) && sms.getString("apiBaseUrl") == null;
    String nodeId = j.getString("nodeId", "node-" + UUID.randomUUID().toString().substring(0, 8));
    return new MusterConfig(nodeId,
        new Http(http.getString("host"), integer(j, "http.port"), stripSlash(http.getString("publicBaseUrl")),
            integer(j, "http.bodyLimitBytes")),
        new Database(db.getString("url"), db.getString("user"), db.getString("password", ""), integer(j, "db.poolSize")),
        new Sms(sms.getString("accountSid"), sms.getString("authToken"), sms.getString("from"),
            sms.getString("messagingServiceSid"), sms.getString("apiBaseUrl"),
            !twilioAccount && sms.getString("apiBaseUrl") == null, sms.getString("simulatorHost"),
            integer(j, "sms.simulatorPort"), messagesPerSecond(sms, twilioAccount),
            integer(j, "sms.undeliveredRetrySeconds"), integer(j, "sms.breakerOpenSeconds")),
        new Cluster(bool(cluster.getValue("enabled")), cluster.getString("name"), cluster.getString("host"),
            integer(j, "cluster.port"), members(cluster.getValue("members")),
            present(cluster.getString("eventBusHost")) ? cluster.getString("eventBusHost") : cluster.getString("host"),
            integer(j, "cluster.eventBusPort"),
            cluster.getString("tlsCert"), cluster.getString("tlsKey"), cluster.getString("tlsCa")),
        new Files(files.getString("roster"), files.getString("playbooks"), files.getString("readiness")),
        new Dispatch(integer(j, "dispatch.pollMs"), integer(j, "dispatch.leaseSeconds"), integer(j, "dispatch.sendThreads")),
        new Security(security.getString("jwtSecret"), security.getString("jwtSecretFile"), security.getString("issuer"),
            integer(j, "security.tokenMinutes"), security.getString("adminPassword"),
            security.getValue("allowedOrigins") == null ? List.of() : members(security.getValue("allowedOrigins")),
            number(j, "security.requestsPerSecond"), integer(j, "security.burst"), integer(j, "security.loginsPerMinute"),
            integer(j, "security.bcryptCost")));
  }

  private static void set(JsonObject json, String path, Object value) {
    String[] parts = path.split("\\.");
    JsonObject target = json;
    for (int i = 0; i < parts.length - 1; i++) {
      target = target.getJsonObject(parts[i]);
    }
    target.put(parts[parts.length - 1], value);
  }

  private static int integer(JsonObject root, String path) {
    String[] parts = path.split("\\.");
    Object v = root.getJsonObject(parts[0]).getValue(parts[1]);
    try {
      return v instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(v).strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("configuration: " + path + " must be a whole number, got '" + v + "'");
    }
  }

  private static double number(JsonObject root, String path) {
    String[] parts = path.split("\\.");
    Object v = root.getJsonObject(parts[0]).getValue(parts[1]);
    try {
      double d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v).strip());
      if (d <= 0) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("configuration: " + path + " must be a number above 0, got '" + v + "'");
    }
  }

  private static double messagesPerSecond(JsonObject sms, boolean twilioAccount) {
    Object v = sms.getValue("messagesPerSecond");
    if (v == null) {
      return twilioAccount ? 1 : 0;
    }
    try {
      double mps = v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v).strip());
      if (mps < 0) {
        throw new NumberFormatException();
      }
      return mps;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("configuration: sms.messagesPerSecond must be 0 or more, got '" + v + "'");
    }
  }

  private static boolean bool(Object v) {
    return v instanceof Boolean b ? b : Boolean.parseBoolean(String.valueOf(v).strip());
  }

  private static List<String> members(Object v) {
    if (v instanceof JsonArray a) {
      return a.stream().map(String::valueOf).toList();
    }
    String text = String.valueOf(v).strip();
    return text.isEmpty() ? List.of() : List.of(text.split("\\s*,\\s*"));
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static JsonObject readYaml(Path file) {
    try {
      Object tree = new ObjectMapper(new YAMLFactory()).readValue(java.nio.file.Files.readString(file), Object.class);
      return tree == null ? new JsonObject() : new JsonObject(new ObjectMapper().writeValueAsString(tree));
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot be read as YAML: " + e.getMessage(), e);
    }
  }
}
