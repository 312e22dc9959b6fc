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
                           Dispatch dispatch, Security security, Limits limits) {

  /**
   * Where the API listens. {@code headerTimeoutSeconds}: how long a connection may take to send a
   * request's headers (and may sit idle between requests); {@code idleTimeoutSeconds}: how long any
   * connection, websockets included, may stay silent. {@code trustedProxies}: addresses or CIDR
   * ranges of the proxies whose {@code X-Forwarded-For} names the client. {@code metricsToken}: when
   * set, {@code /metrics} needs {@code Authorization: Bearer <token>}. {@code instances}: how many
   * HTTP verticles share the port, each on an event loop of its own (default: one per core).
   */
  public record Http(String host, int port, String publicBaseUrl, int bodyLimitBytes, int headerTimeoutSeconds,
                     int idleTimeoutSeconds, List<String> trustedProxies, String metricsToken, int instances) {
    /**
     * This listener once it listens on {@code boundPort} (the port it asked for, or the one the
     * system chose for port 0): an unset public base URL is derived from the host and that port.
     */
    public Http boundTo(int boundPort) {
      return new Http(host, boundPort, publicBaseUrl != null ? publicBaseUrl : derivedBaseUrl(host, boundPort),
          bodyLimitBytes, headerTimeoutSeconds, idleTimeoutSeconds, trustedProxies, metricsToken, instances);
    }

    /**
     * The public base URL of a listener that has none configured: {@code http://} the host and the
     * port, where a host that means every interface is spelled {@code localhost}.
     */
    static String derivedBaseUrl(String host, int port) {
      String h = host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")
          ? "localhost" : host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
      return "http://" + h + ":" + port;
    }

    @Override
    public String toString() {
      return "Http[host=" + host + ", port=" + port + ", publicBaseUrl=" + publicBaseUrl + ", bodyLimitBytes="
          + bodyLimitBytes + ", headerTimeoutSeconds=" + headerTimeoutSeconds + ", idleTimeoutSeconds="
          + idleTimeoutSeconds + ", trustedProxies=" + trustedProxies + ", metricsToken="
          + (metricsToken == null ? "unset" : "<hidden>") + ", instances=" + instances + "]";
    }
  }

  /**
   * What one address or user may cost a node: requests without valid credentials per address
   * ({@code anonymousPerSecond}, {@code anonymousBurst}), live websockets per user and per address,
   * and the window over which refusals are counted into one audit row per address.
   */
  public record Limits(double anonymousPerSecond, int anonymousBurst, int liveConnectionsPerUser,
                       int liveConnectionsPerAddress, int refusalWindowSeconds) { }

  /**
   * The database. {@code user} is the role Muster runs as; with {@code ownerUser} set, migrations run
   * as that schema owner and grant {@code user} only what it needs (no changing the audit log).
   */
  public record Database(String url, String user, String password, int poolSize, String ownerUser,
                         String ownerPassword) {
    public boolean postgres() {
      return url.startsWith("jdbc:postgresql:");
    }

    @Override
    public String toString() {
      return "Database[url=" + url + ", user=" + user + ", password=<hidden>, poolSize=" + poolSize
          + ", ownerUser=" + ownerUser + ", ownerPassword=<hidden>]";
    }
  }

  /**
   * SMS through Twilio. With no account configured, the built-in simulator takes its place
   * ({@code simulatorPort}); {@code apiBaseUrl} points the SDK at another Twilio-compatible API.
   * {@code messagesPerSecond} is the whole cluster's send budget (0: unpaced); unset, it is 1 with
   * a Twilio account (a long code's rate) and unpaced with the simulator. {@code breakerOpenSeconds}:
   * the circuit breaker's probe interval, while the provider keeps failing (default 5).
   * {@code reconcileAfterSeconds}: how long a sent message may go without a delivery receipt before
   * the provider is asked what became of it (default 120).
   */
  public record Sms(String accountSid, String authToken, String from, String messagingServiceSid,
                    String apiBaseUrl, boolean embeddedSimulator, String simulatorHost, int simulatorPort,
                    double messagesPerSecond, int undeliveredRetrySeconds, int breakerOpenSeconds,
                    int reconcileAfterSeconds) {
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
   * PEM files that {@code muster cluster-certs} makes. {@code portCount} (1 unless set): Hazelcast
   * takes the first free port of {@code port} .. {@code port + portCount - 1}, as nodes sharing one
   * machine (tests) do; the members then list the ports of that range.
   *
   * <p>{@code publicHost}:{@code publicPort} and {@code eventBusPublicHost}:{@code eventBusPublicPort}:
   * the addresses this node tells the others to reach its Hazelcast and its event bus at, when that is
   * not where they listen (behind NAT or a port mapping, or a proxy). Unset, the others are told the
   * listening host ({@code host}, {@code eventBusHost}) and port. {@code heartbeatTimeoutSeconds}: how
   * long a member may stay silent before the others drop it (Hazelcast's 60 by default);
   * {@code mergeAfterSeconds}: how often each half of a split cluster looks for the other to merge
   * with (120).
   */
  public record Cluster(boolean enabled, String name, String host, int port, int portCount, List<String> members,
                        String eventBusHost, int eventBusPort, String tlsCert, String tlsKey, String tlsCa,
                        String publicHost, int publicPort, String eventBusPublicHost, int eventBusPublicPort,
                        int heartbeatTimeoutSeconds, int mergeAfterSeconds) {
    /** Whether the others are told an address other than where Hazelcast listens. */
    public boolean advertisesOtherAddress() {
      return !publicHost.equals(host) || publicPort != port;
    }
  }

  public record Files(String roster, String playbooks, String readiness) { }

  public record Dispatch(long pollMs, int leaseSeconds, int sendThreads) { }

  /**
   * Sign-in and limits. The token signing secret comes from {@code jwtSecret} (environment
   * {@code MUSTER_JWT_SECRET}) or the file {@code jwtSecretFile}, which a single node creates when
   * missing; every node of a cluster needs the same secret. {@code adminPassword} is used once, when
   * the first administrator is created (unset: a random one, printed at that start only).
   * {@code allowedOrigins}: pages that may open the live websocket besides the node's own.
   * {@code requestsPerSecond}/{@code burst}: each user's or key's budget on the API, per node.
   * The audit key ({@code auditKey}, else the file {@code auditKeyFile}, made by a single node when
   * missing; the same on every node of a cluster) seals the audit log; {@code auditCheckpointFile}
   * receives the node's signed checkpoints of it.
   */
  public record Security(String jwtSecret, String jwtSecretFile, String issuer, int tokenMinutes, String adminPassword,
                         List<String> allowedOrigins, double requestsPerSecond, int burst, int loginsPerMinute,
                         int bcryptCost, String auditKey, String auditKeyFile, String auditCheckpointFile) {
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
      Map.entry("MUSTER_HTTP_INSTANCES", "http.instances"),
      Map.entry("MUSTER_PUBLIC_BASE_URL", "http.publicBaseUrl"),
      Map.entry("MUSTER_DB_URL", "db.url"),
      Map.entry("MUSTER_DB_USER", "db.user"),
      Map.entry("MUSTER_DB_PASSWORD", "db.password"),
      Map.entry("MUSTER_DB_OWNER_USER", "db.ownerUser"),
      Map.entry("MUSTER_DB_OWNER_PASSWORD", "db.ownerPassword"),
      Map.entry("MUSTER_CLUSTER", "cluster.enabled"),
      Map.entry("MUSTER_CLUSTER_NAME", "cluster.name"),
      Map.entry("MUSTER_CLUSTER_HOST", "cluster.host"),
      Map.entry("MUSTER_CLUSTER_PORT", "cluster.port"),
      Map.entry("MUSTER_CLUSTER_PORT_COUNT", "cluster.portCount"),
      Map.entry("MUSTER_CLUSTER_MEMBERS", "cluster.members"),
      Map.entry("MUSTER_EVENTBUS_HOST", "cluster.eventBusHost"),
      Map.entry("MUSTER_EVENTBUS_PORT", "cluster.eventBusPort"),
      Map.entry("MUSTER_CLUSTER_PUBLIC_HOST", "cluster.publicHost"),
      Map.entry("MUSTER_CLUSTER_PUBLIC_PORT", "cluster.publicPort"),
      Map.entry("MUSTER_EVENTBUS_PUBLIC_HOST", "cluster.eventBusPublicHost"),
      Map.entry("MUSTER_EVENTBUS_PUBLIC_PORT", "cluster.eventBusPublicPort"),
      Map.entry("MUSTER_CLUSTER_HEARTBEAT_TIMEOUT_SECONDS", "cluster.heartbeatTimeoutSeconds"),
      Map.entry("MUSTER_CLUSTER_MERGE_AFTER_SECONDS", "cluster.mergeAfterSeconds"),
      Map.entry("MUSTER_CLUSTER_TLS_CERT", "cluster.tlsCert"),
      Map.entry("MUSTER_CLUSTER_TLS_KEY", "cluster.tlsKey"),
      Map.entry("MUSTER_CLUSTER_TLS_CA", "cluster.tlsCa"),
      Map.entry("MUSTER_SIMULATOR_PORT", "sms.simulatorPort"),
      Map.entry("MUSTER_POLL_MS", "dispatch.pollMs"),
      Map.entry("MUSTER_SMS_MPS", "sms.messagesPerSecond"),
      Map.entry("MUSTER_RECONCILE_AFTER_SECONDS", "sms.reconcileAfterSeconds"),
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
      Map.entry("MUSTER_RATE_BURST", "security.burst"),
      Map.entry("MUSTER_TRUSTED_PROXIES", "http.trustedProxies"),
      Map.entry("MUSTER_METRICS_TOKEN", "http.metricsToken"),
      Map.entry("MUSTER_HEADER_TIMEOUT_SECONDS", "http.headerTimeoutSeconds"),
      Map.entry("MUSTER_IDLE_TIMEOUT_SECONDS", "http.idleTimeoutSeconds"),
      Map.entry("MUSTER_LIVE_PER_USER", "limits.liveConnectionsPerUser"),
      Map.entry("MUSTER_LIVE_PER_ADDRESS", "limits.liveConnectionsPerAddress"),
      Map.entry("MUSTER_AUDIT_KEY", "security.auditKey"),
      Map.entry("MUSTER_AUDIT_KEY_FILE", "security.auditKeyFile"),
      Map.entry("MUSTER_AUDIT_CHECKPOINTS", "security.auditCheckpointFile"));

  static JsonObject defaults() {
    return new JsonObject()
        .put("http", new JsonObject().put("host", "0.0.0.0").put("port", 8080)
            .put("bodyLimitBytes", 65536).put("headerTimeoutSeconds", 10)
            .put("idleTimeoutSeconds", 120).put("trustedProxies", new JsonArray())
            .put("instances", Math.max(1, Runtime.getRuntime().availableProcessors())))
        .put("db", new JsonObject()
            .put("url", "jdbc:h2:file:./data/muster;LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0")
            .put("user", "sa").put("password", "").put("poolSize", 10))
        .put("sms", new JsonObject().put("from", "+15005550006").put("simulatorHost", "127.0.0.1")
            .put("simulatorPort", 8090).put("undeliveredRetrySeconds", 120).put("breakerOpenSeconds", 5)
            .put("reconcileAfterSeconds", 120))
        .put("cluster", new JsonObject().put("enabled", false).put("name", "muster").put("host", "127.0.0.1")
            .put("port", 5701).put("portCount", 1).put("members", new JsonArray().add("127.0.0.1:5701")).put("eventBusPort", 5702)
            .put("heartbeatTimeoutSeconds", 60).put("mergeAfterSeconds", 120))
        .put("files", new JsonObject().put("roster", "config/roster.yaml").put("playbooks", "playbooks")
            .put("readiness", "config/readiness.yaml"))
        .put("dispatch", new JsonObject().put("pollMs", 1000).put("leaseSeconds", 30).put("sendThreads", 8))
        .put("security", new JsonObject().put("jwtSecretFile", "./data/jwt-secret").put("issuer", "muster")
            .put("tokenMinutes", 15).put("allowedOrigins", new JsonArray()).put("requestsPerSecond", 20)
            .put("burst", 100).put("loginsPerMinute", 10).put("bcryptCost", 12)
            .put("auditKeyFile", "./data/audit-key").put("auditCheckpointFile", "./data/audit-checkpoints.log"))
        .put("limits", new JsonObject().put("anonymousPerSecond", 5).put("anonymousBurst", 30)
            .put("liveConnectionsPerUser", 20).put("liveConnectionsPerAddress", 100).put("refusalWindowSeconds", 60));
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
    JsonObject files = j.getJsonObject("files");
    JsonObject dispatch = j.getJsonObject("dispatch");
    JsonObject security = j.getJsonObject("security");
    JsonObject limits = j.getJsonObject("limits");
    boolean twilioAccount = present(sms.getString("accountSid")) && sms.getString("apiBaseUrl") == null;
    String nodeId = j.getString("nodeId", "node-" + UUID.randomUUID().toString().substring(0, 8));
    return new MusterConfig(nodeId,
        new Http(http.getString("host"), integer(j, "http.port"), publicBaseUrl(http, integer(j, "http.port")),
            integer(j, "http.bodyLimitBytes"), positive(j, "http.headerTimeoutSeconds"),
            positive(j, "http.idleTimeoutSeconds"),
            http.getValue("trustedProxies") == null ? List.of() : members(http.getValue("trustedProxies")),
            present(http.getString("metricsToken")) ? http.getString("metricsToken").strip() : null,
            positive(j, "http.instances")),
        new Database(db.getString("url"), db.getString("user"), db.getString("password", ""), integer(j, "db.poolSize"),
            db.getString("ownerUser"), db.getString("ownerPassword", "")),
        new Sms(sms.getString("accountSid"), sms.getString("authToken"), sms.getString("from"),
            sms.getString("messagingServiceSid"), sms.getString("apiBaseUrl"),
            !twilioAccount && sms.getString("apiBaseUrl") == null, sms.getString("simulatorHost"),
            integer(j, "sms.simulatorPort"), messagesPerSecond(sms, twilioAccount),
            integer(j, "sms.undeliveredRetrySeconds"), integer(j, "sms.breakerOpenSeconds"),
            positive(j, "sms.reconcileAfterSeconds")),
        cluster(j),
        new Files(files.getString("roster"), files.getString("playbooks"), files.getString("readiness")),
        new Dispatch(integer(j, "dispatch.pollMs"), integer(j, "dispatch.leaseSeconds"), integer(j, "dispatch.sendThreads")),
        new Security(security.getString("jwtSecret"), security.getString("jwtSecretFile"), security.getString("issuer"),
            integer(j, "security.tokenMinutes"), security.getString("adminPassword"),
            security.getValue("allowedOrigins") == null ? List.of() : members(security.getValue("allowedOrigins")),
            number(j, "security.requestsPerSecond"), integer(j, "security.burst"), integer(j, "security.loginsPerMinute"),
            integer(j, "security.bcryptCost"), security.getString("auditKey"), security.getString("auditKeyFile"),
            security.getString("auditCheckpointFile")),
        new Limits(number(j, "limits.anonymousPerSecond"), positive(j, "limits.anonymousBurst"),
            positive(j, "limits.liveConnectionsPerUser"), positive(j, "limits.liveConnectionsPerAddress"),
            positive(j, "limits.refusalWindowSeconds")));
  }

  private static Cluster cluster(JsonObject j) {
    JsonObject cluster = j.getJsonObject("cluster");
    String host = cluster.getString("host");
    int port = integer(j, "cluster.port");
    String eventBusHost = present(cluster.getString("eventBusHost")) ? cluster.getString("eventBusHost") : host;
    return new Cluster(bool(cluster.getValue("enabled")), cluster.getString("name"), host, port,
        positive(j, "cluster.portCount"), members(cluster.getValue("members")), eventBusHost, integer(j, "cluster.eventBusPort"),
        cluster.getString("tlsCert"), cluster.getString("tlsKey"), cluster.getString("tlsCa"),
        publicHost(cluster, "publicHost", host), publicPort(j, "cluster.publicPort", port),
        publicHost(cluster, "eventBusPublicHost", eventBusHost), publicPort(j, "cluster.eventBusPublicPort", -1),
        positive(j, "cluster.heartbeatTimeoutSeconds"), positive(j, "cluster.mergeAfterSeconds"));
  }

  /**
   * An address the other nodes are told to reach this one at: a name or an address (IPv6 without
   * brackets), never every interface, and without a port (that has a key of its own).
   */
  private static String publicHost(JsonObject cluster, String key, String fallback) {
    Object v = cluster.getValue(key);
    if (v == null || String.valueOf(v).isBlank()) {
      return fallback;
    }
    String host = String.valueOf(v).strip();
    String path = "cluster." + key;
    if (host.contains("/") || host.contains(" ") || host.startsWith("[")) {
      throw new IllegalArgumentException("configuration: " + path + " must be a host name or an IP address (no scheme,"
          + " path or brackets), got '" + host + "'");
    }
    if (host.indexOf(':') > 0 && host.indexOf(':') == host.lastIndexOf(':')) {
      throw new IllegalArgumentException("configuration: " + path + " must be a host without a port, got '" + host
          + "': put the port in " + path.replace("Host", "Port"));
    }
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0")) {
      throw new IllegalArgumentException("configuration: " + path + " is " + host + ", which no other node can connect"
          + " to: set it to the address (or name) by which the other nodes reach this one");
    }
    return host;
  }

  /** A port the other nodes are told; unset: {@code fallback} (-1: the port the node listens on). */
  private static int publicPort(JsonObject root, String path, int fallback) {
    Object v = root.getJsonObject("cluster").getValue(path.substring("cluster.".length()));
    if (v == null || String.valueOf(v).isBlank()) {
      return fallback;
    }
    int port = integer(root, path);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("configuration: " + path + " must be a port from 1 to 65535, got " + port);
    }
    return port;
  }

  /**
   * The configured public base URL; unset, the one derived from the host and the port, or none yet
   * for port 0 (the node derives it once it listens: {@link Http#boundTo}).
   */
  private static String publicBaseUrl(JsonObject http, int port) {
    String url = http.getString("publicBaseUrl");
    if (present(url)) {
      return stripSlash(url.strip());
    }
    return port == 0 ? null : Http.derivedBaseUrl(http.getString("host"), port);
  }

  /** This configuration once the HTTP listener listens on {@code httpPort}: see {@link Http#boundTo}. */
  public MusterConfig boundTo(int httpPort) {
    return new MusterConfig(nodeId, http.boundTo(httpPort), db, sms, cluster, files, dispatch, security, limits);
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

  private static int positive(JsonObject root, String path) {
    int v = integer(root, path);
    if (v <= 0) {
      throw new IllegalArgumentException("configuration: " + path + " must be 1 or more, got " + v);
    }
    return v;
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
