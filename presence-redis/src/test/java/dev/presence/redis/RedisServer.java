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

  private final String binary;
  final int port;
  private Process process;

  private RedisServer(String binary, int port) {
    this.binary = binary;
    this.port = port;
  }

  static RedisServer startOrSkip() {
    String binary = executable("redis-server", "presence.redis-server");
    if (binary == null) {
      String message = "redis-server not found (system property presence.redis-server, PATH, /usr/bin);"
          + " install the Debian package redis-server to run the Redis tests";
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

  /**
   * Finds an executable: the system property {@code presence.redis-server} if set, else the first match on
   * {@code PATH}, else the Debian location. Returns null if none is executable.
   */
  private static String executable(String name, String property) {
    String configured = System.getProperty(property);
    if (configured != null && !configured.isBlank()) {
      return new File(configured).canExecute() ? configured : null;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        File candidate = new File(dir, name);
        if (!dir.isEmpty() && candidate.canExecute()) {
          return candidate.getPath();
        }
      }
    }
    File debian = new File("/usr/bin", name);
    return debian.canExecute() ? debian.getPath() : null;
  }
}
