package dev.presence.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server process on a free loopback port, persistence off, stopped by its own pid.
 * Without the binary the calling test is skipped, unless the environment variable CI is set, in
 * which case it fails: a skipped test proves nothing in CI.
 */
final class RedisServer implements AutoCloseable {
  private static final List<String> CANDIDATES =
      List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server");

  private final String binary;
  final int port;
  private Process process;

  private RedisServer(String binary, int port) {
    this.binary = binary;
    this.port = port;
  }

  static RedisServer startOrSkip() {
    String binary = CANDIDATES.stream().filter(p -> new File(p).canExecute()).findFirst()
        .orElse(null);
    if (binary == null) {
      String message = "redis-server not found (looked in " + CANDIDATES
          + "); install the Debian package redis-server to run the Redis tests";
      if (System.getenv("CI") != null) {
        throw new IllegalStateException(message + " (CI is set, so this is a failure)");
      }
      assumeTrue(false, message);
    }
    RedisServer server = new RedisServer(binary, freePort());
    server.start();
    return server;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  void start() {
    try {
      process = new ProcessBuilder(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--daemonize", "no")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("could not start " + binary, e);
    }
    Process started = process;
    // a test JVM that dies halfway must not leave servers behind
    Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
    await("redis-server on port " + port).atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10)).until(this::answersPing);
  }

  /** Stops the process (SIGTERM, then SIGKILL) and waits for it to be gone. */
  void stop() {
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

  /** Sends one inline command and returns the raw reply. */
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

  private boolean answersPing() {
    return command("PING").startsWith("+PONG");
  }

  @Override
  public void close() {
    stop();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
