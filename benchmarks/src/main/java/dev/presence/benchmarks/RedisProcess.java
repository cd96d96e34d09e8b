package dev.presence.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} process on a free loopback port with persistence off, stopped by
 * its own {@link Process}. Not thread-safe: one owner starts and stops it.
 */
final class RedisProcess implements AutoCloseable {
  private static final String INSTALL_HINT =
      "redis-server not found (looked in /usr/bin, /usr/local/bin and PATH); install it, e.g."
          + " 'sudo apt-get install redis-server' (Debian/Ubuntu) or 'brew install redis' (macOS),"
          + " to run the clustered benchmarks";

  final int port;
  private Process process;

  private RedisProcess(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  /** The redis-server binary, if this machine has one. */
  static Optional<String> binary() {
    String configured = System.getProperty("presence.redis-server");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(configured).filter(p -> new File(p).canExecute());
    }
    List<String> candidates = new ArrayList<>(List.of("/usr/bin/redis-server",
        "/usr/local/bin/redis-server"));
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(dir + File.separator + "redis-server");
        }
      }
    }
    return candidates.stream().filter(p -> new File(p).canExecute()).findFirst();
  }

  /**
   * Starts a server and waits (deadline 10 s) until it answers PING.
   *
   * @throws IllegalStateException if there is no redis-server binary (saying how to install it,
   *     and that CI treats this as a failure), or the server does not come up
   */
  static RedisProcess start() {
    String binary = binary().orElseThrow(() -> new IllegalStateException(
        System.getenv("CI") != null ? INSTALL_HINT + " (CI is set: .ci/run installs it)"
            : INSTALL_HINT));
    int port = freePort();
    Process p;
    try {
      p = new ProcessBuilder(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--daemonize", "no")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("could not start " + binary, e);
    }
    // a benchmark JVM that dies halfway must not leave a server behind
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    RedisProcess redis = new RedisProcess(port, p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!redis.command("PING").startsWith("+PONG")) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        redis.close();
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING");
      }
      pause();
    }
    return redis;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Sends one inline command on a fresh connection and returns the raw reply ("" on failure). */
  String command(String line) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write((line + "\r\nQUIT\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Calls per command since the last {@code CONFIG RESETSTAT}, from {@code INFO commandstats}. */
  Map<String, Long> commandCalls() {
    Map<String, Long> calls = new LinkedHashMap<>();
    for (String line : command("INFO commandstats").split("\r\n")) {
      if (line.startsWith("cmdstat_")) {
        String name = line.substring(8, line.indexOf(':'));
        calls.put(name, Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1")));
      }
    }
    return calls;
  }

  @Override
  public void close() {
    Process p = process;
    if (p == null) {
      return;
    }
    process = null;
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(10); // a poll interval while the process starts, not a wait for a condition
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting redis-server", e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
