package io.muster.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code prometheus-alertmanager} as its package runs it, with no peers (no gossip port) and the
 * configuration of {@link AlertmanagerComparison#config}: every alert its own group, sent at once
 * ({@code group_wait: 0s}) to a webhook receiver in this JVM (the JDK's HTTP server), which notes
 * when each webhook request arrived.
 */
final class AlertmanagerNode implements PagingSystem {
  private static final Pattern ID = Pattern.compile("\"bench_id\"\\s*:\\s*\"(\\d+)\"");

  private final Path dir;
  private final HttpServer webhook;
  private final ExecutorService webhookThreads = Executors.newFixedThreadPool(2, MusterNode.daemon("webhook"));
  private final Arrivals arrivals = new Arrivals();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .executor(Executors.newFixedThreadPool(4, MusterNode.daemon("alertmanager-client"))).build();
  private final String version;
  private BenchProcess process;
  private String base;

  private AlertmanagerNode(Path dir, HttpServer webhook, String version) {
    this.dir = dir;
    this.webhook = webhook;
    this.version = version;
  }

  static AlertmanagerNode start(Path binary) throws Exception {
    Path dir = Files.createTempDirectory("alertmanager-compare-");
    HttpServer webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    AlertmanagerNode node = new AlertmanagerNode(dir, webhook, version(binary));
    try {
      node.launch(binary);
      return node;
    } catch (Exception | Error e) {
      node.close();
      throw e;
    }
  }

  private void launch(Path binary) throws Exception {
    webhook.createContext("/", exchange -> {
      long now = System.nanoTime();
      try (InputStream in = exchange.getRequestBody()) {
        Matcher id = ID.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        while (id.find()) {
          arrivals.arrived(id.group(1), now);
        }
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    webhook.setExecutor(webhookThreads);
    webhook.start();
    String url = "http://127.0.0.1:" + webhook.getAddress().getPort() + "/alerts";
    Files.writeString(dir.resolve("alertmanager.yml"), AlertmanagerComparison.config(url));
    int port = io.muster.it.TestNodes.freePort();
    base = "http://127.0.0.1:" + port;
    process = BenchProcess.start(List.of(binary.toString(), "--config.file=" + dir.resolve("alertmanager.yml"),
        "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address="),
        dir, Map.of(), dir.resolve("alertmanager.log"));
    try {
      process.awaitHttp200(base + "/-/ready", Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      throw new IllegalStateException("Alertmanager did not start: " + e.getMessage() + "\n" + process.tail(40), e);
    }
  }

  /** The binary's version line ("alertmanager, version 0.25.0 ..."), or the path when it does not say. */
  private static String version(Path binary) {
    try {
      Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      Matcher v = Pattern.compile("version (\\S+)").matcher(out);
      return v.find() ? v.group(1) : binary.toString();
    } catch (IOException e) {
      return binary.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return binary.toString();
    }
  }

  @Override
  public String name() {
    return "Alertmanager " + version;
  }

  /** One firing alert, labelled with its number; with {@code group_by: ['...']} it is a group of its own. */
  @Override
  public CompletableFuture<String> trigger(long n) {
    String body = "[{\"labels\":{\"alertname\":\"MusterComparison\",\"severity\":\"page\",\"bench_id\":\"" + n + "\"},"
        + "\"annotations\":{\"summary\":\"Benchmark trigger " + n + "\"}}]";
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v2/alerts")).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
      if (r.statusCode() != 200) {
        throw new IllegalStateException("alert answered " + r.statusCode() + " " + r.body());
      }
      return Long.toString(n);
    });
  }

  @Override
  public Arrivals arrivals() {
    return arrivals;
  }

  @Override
  public long cpuNanos() {
    return process.cpuNanos();
  }

  @Override
  public void close() throws Exception {
    try {
      if (process != null) {
        process.close();
      }
      webhook.stop(0);
      webhookThreads.shutdownNow();
    } finally {
      BenchProcess.deleteTree(dir);
    }
  }
}
