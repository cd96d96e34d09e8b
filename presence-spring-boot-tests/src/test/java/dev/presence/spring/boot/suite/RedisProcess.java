package dev.presence.spring.boot.suite;

import static org.awaitility.Awaitility.await;

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
import org.junit.jupiter.api.Assumptions;

/**
 * A real redis-server on a free loopback port, persistence off, stopped by its own process
 * handle. Missing binary: the test is skipped, or fails when the environment variable CI is set.
 */
final class RedisProcess implements AutoCloseable {
  private final String binary;
  final int port;
  private Process process;

  private RedisProcess(String binary, int port) {
    this.binary = binary;
    this.port = port;
  }

  static RedisProcess startOrSkip() {
    String binary = executable("redis-server", "presence.redis-server");
    if (binary == null) {
      String message = "redis-server not found (system property presence.redis-server, PATH, /usr/bin)";
      if (System.getenv("CI") != null) {
        throw new IllegalStateException(message + " (CI is set, so this is a failure)");
      }
      Assumptions.assumeTrue(false, message);
    }
    RedisProcess r = new RedisProcess(binary, freePort());
    r.start();
    return r;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  void start() {
    try {
      process = new ProcessBuilder(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--daemonize", "no")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new IllegalStateException("could not start " + binary, e);
    }
    Process started = process;
    Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(this::answersPing);
  }

  void stop() {
    Process p = process;
    process = null;
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean answersPing() {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\nQUIT\r\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
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
