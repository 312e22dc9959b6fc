package io.muster.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A program a benchmark starts as an operator would (a Muster jar, Alertmanager) and times: its
 * output goes to a log file, and the moment each awaited line first appears is kept. Closing it
 * stops it (SIGTERM, then SIGKILL after 20 s); a shutdown hook makes sure none outlives the benchmark.
 */
final class BenchProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final Process process;
  /** {@link System#nanoTime()} just before the process was started. */
  final long startNanos;
  private final Path log;
  private final Map<Pattern, CompletableFuture<Line>> lines = new ConcurrentHashMap<>();
  private final Thread hook;

  private BenchProcess(Process process, long startNanos, Path log, List<Pattern> awaited) {
    this.process = process;
    this.startNanos = startNanos;
    this.log = log;
    awaited.forEach(p -> lines.put(p, new CompletableFuture<>()));
    this.hook = new Thread(process::destroyForcibly);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Starts {@code command} in {@code dir} with {@code env} added to this JVM's environment. */
  static BenchProcess start(List<String> command, Path dir, Map<String, String> env, Path log, Pattern... awaited)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    long start = System.nanoTime();
    BenchProcess p = new BenchProcess(pb.start(), start, log, List.of(awaited));
    Thread drain = new Thread(p::drain, "bench-process-output");
    drain.setDaemon(true);
    drain.start();
    return p;
  }

  /** A line of the output and when it was read ({@link System#nanoTime()}). */
  record Line(String text, long nanos) { }

  /** Nanoseconds from the start to the first line matching {@code pattern} (one given to {@link #start}). */
  long awaitLine(Pattern pattern, Duration timeout) {
    return line(pattern, timeout).nanos() - startNanos;
  }

  /** The first line matching {@code pattern} (one given to {@link #start}). */
  Line line(Pattern pattern, Duration timeout) {
    try {
      return lines.get(pattern).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no line /" + pattern + "/ within " + timeout + "; see " + log, e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("the process ended before a line /" + pattern + "/; see " + log, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Nanoseconds from the start to the first {@code 200} answer of {@code url}, asked every 10 ms
   * (a refused connection is asked again at once after that pause).
   */
  long awaitHttp200(String url, Duration timeout) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the process ended before " + url + " answered 200; see " + log);
      }
      try {
        if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return System.nanoTime() - startNanos;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException(url + " did not answer 200 within " + timeout + "; see " + log);
  }

  Path log() {
    return log;
  }

  /**
   * CPU time the process has used so far (user and system, all its threads), from
   * {@code /proc/<pid>/stat} (Linux; -1 elsewhere). On a machine others load too, this says more
   * about the work a start does than its wall time.
   */
  long cpuNanos() {
    try {
      return cpuNanos(Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat")));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** CPU time used so far by every process named {@code command} (Linux; -1 elsewhere). */
  static long cpuNanosOf(String command) {
    try (java.util.stream.Stream<Path> all = Files.list(Path.of("/proc"))) {
      long sum = 0;
      for (Path p : all.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
        try {
          String stat = Files.readString(p.resolve("stat"));
          if (stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).equals(command)) {
            sum += cpuNanos(stat);
          }
        } catch (IOException | RuntimeException gone) {
          // the process ended meanwhile
        }
      }
      return sum;
    } catch (IOException e) {
      return -1;
    }
  }

  /** User and system time from a {@code /proc/<pid>/stat} line. */
  private static long cpuNanos(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks * 1_000_000_000L / CLOCK_TICKS;
  }

  /** USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every Linux this runs on. */
  private static final long CLOCK_TICKS = 100;

  /** The last {@code count} lines of the output, to say why something failed before the log is deleted. */
  String tail(int count) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - count), all.size()));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  private void drain() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        long now = System.nanoTime();
        for (Map.Entry<Pattern, CompletableFuture<Line>> e : lines.entrySet()) {
          if (!e.getValue().isDone() && e.getKey().matcher(line).find()) {
            e.getValue().complete(new Line(line, now));
          }
        }
        out.write(line);
        out.write('\n');
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // the process is gone; whoever waits hears it below
    }
    lines.values().forEach(f -> f.completeExceptionally(new IllegalStateException("the process ended")));
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down already; the hook runs anyway
    }
  }

  /** A port that was free on the loopback interface a moment ago (the system chose it). */
  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }

  /** Copies a folder (a project's config or playbooks) into {@code target}. */
  static void copyTree(Path from, Path target) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path to = target.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
  }
}
