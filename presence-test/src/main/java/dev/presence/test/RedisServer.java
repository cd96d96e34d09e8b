package dev.presence.test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A real {@code redis-server} process on 127.0.0.1, persistence off, owned by the test: started
 * on a free port (or a given one), stopped by its own process handle, never by name. Starting
 * waits until it answers {@code PING}, at most the start timeout (default 10 s); stopping sends
 * SIGTERM, then SIGKILL after 5 s. A JVM that dies halfway kills the process in a shutdown hook.
 *
 * <p>The binary is found by {@link #executable}: the system property
 * {@code presence.redis-server}, else {@code PATH}, else {@code /usr/bin}. Without it,
 * {@link #startOrSkip()} skips the calling JUnit test, except when the environment variable
 * {@code CI} is set: then it fails, as a skipped test proves nothing in CI.
 *
 * <p>Not thread-safe: one owner starts and stops it; {@link #command} may be called from any
 * thread.
 */
public final class RedisServer implements AutoCloseable {
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private final String binary;
  private final int port;
  private final List<String> arguments;
  private final @Nullable Path log;
  private final Duration startTimeout;
  private @Nullable Process process;

  private RedisServer(Builder b, String binary, int port) {
    this.binary = binary;
    this.port = port;
    this.arguments = List.copyOf(b.arguments);
    this.log = b.log;
    this.startTimeout = b.startTimeout;
  }

  /**
   * Starts a server on a free port with the default settings.
   *
   * @return the running server
   * @throws IllegalStateException if there is no redis-server binary (the message says how to
   *     install one) or it does not answer within 10 s
   */
  public static RedisServer start() {
    return builder().start();
  }

  /**
   * Starts a server on a free port, or skips the calling JUnit test if there is no binary (fails
   * instead when the environment variable {@code CI} is set). Needs junit-jupiter-api.
   *
   * @return the running server
   * @throws org.opentest4j.TestAbortedException if there is no binary and CI is not set
   * @throws IllegalStateException if there is no binary and CI is set, or the server does not
   *     answer in time
   */
  public static RedisServer startOrSkip() {
    return builder().startOrSkip();
  }

  /**
   * Returns a builder for a server with other settings (a fixed port, extra arguments, a log).
   *
   * @return a new builder: free port, no extra arguments, output discarded, 10 s start timeout
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Finds an executable such as {@code redis-server} or {@code redis-cli}: the system property
   * {@code presence.<name>} if set (then only that path), else the first match on {@code PATH},
   * else {@code /usr/bin/<name>}.
   *
   * @param name the file name of the executable
   * @return its path, or empty if none is executable
   */
  public static Optional<String> executable(String name) {
    Objects.requireNonNull(name, "name");
    String configured = System.getProperty("presence." + name);
    if (configured != null && !configured.isBlank()) {
      return new File(configured).canExecute() ? Optional.of(configured) : Optional.empty();
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator, -1)) {
        File candidate = new File(dir, name);
        if (!dir.isEmpty() && candidate.canExecute()) {
          return Optional.of(candidate.getPath());
        }
      }
    }
    File fallback = new File("/usr/bin", name);
    return fallback.canExecute() ? Optional.of(fallback.getPath()) : Optional.empty();
  }

  /**
   * Returns the port the server listens on (kept across {@link #stop()} and {@link #restart()}).
   *
   * @return the loopback port
   */
  public int port() {
    return port;
  }

  /**
   * Returns the URI a Redis client connects to.
   *
   * @return {@code redis://127.0.0.1:<port>}
   */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /**
   * Returns whether the process is running.
   *
   * @return true between a start and a stop or kill
   */
  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /**
   * Sends one inline command on a fresh connection and returns the raw reply.
   *
   * @param line the command, e.g. {@code "INFO replication"}
   * @return the reply as received (RESP), or "" if the server cannot be reached within 2 s
   */
  public String command(String line) {
    return command(port, line);
  }

  /**
   * Sends one inline command to any Redis on 127.0.0.1 (e.g. a cluster node) and returns the raw
   * reply.
   *
   * @param port the server's port
   * @param line the command
   * @return the reply as received (RESP), or "" if the server cannot be reached within 2 s
   */
  public static String command(int port, String line) {
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

  /**
   * Starts the process again on the same port (after {@link #stop()} or {@link #kill()}); the
   * data is gone, as persistence is off. Does nothing if it is running.
   *
   * @throws IllegalStateException if it does not answer in time
   */
  public void restart() {
    if (isRunning()) {
      return;
    }
    launch();
  }

  private void launch() {
    List<String> args = new ArrayList<>(List.of(binary, "--port", String.valueOf(port), "--bind",
        "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"));
    args.addAll(arguments);
    ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
    Path logFile = log;
    pb.redirectOutput(logFile == null ? ProcessBuilder.Redirect.DISCARD
        : ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("could not start " + binary, e);
    }
    process = p;
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "redis-server-" + port + "-reaper"));
    long deadline = System.nanoTime() + startTimeout.toNanos();
    while (!command("PING").startsWith("+PONG")) {
      if (!p.isAlive() || System.nanoTime() - deadline > 0) {
        kill();
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING within "
            + startTimeout + (logFile == null ? "" : " (log: " + logFile + ")"));
      }
      try {
        Thread.sleep(10); // a poll interval while the process starts, bounded by the deadline
      } catch (InterruptedException e) {
        kill();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting redis-server", e);
      }
    }
  }

  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and waits for it to be gone. Idempotent. */
  public void stop() {
    end(false);
  }

  /** Kills the process at once (SIGKILL), as a crashed machine would go, and waits for it. */
  public void kill() {
    end(true);
  }

  private void end(boolean force) {
    Process p = process;
    process = null;
    if (p == null) {
      return;
    }
    try {
      if (force) {
        p.destroyForcibly().waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        return;
      }
      p.destroy();
      if (!p.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "RedisServer(" + uri() + (isRunning() ? "" : ", stopped") + ")";
  }

  /** A free port on 127.0.0.1, as the OS hands it out (another process may take it before use). */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on 127.0.0.1", e);
    }
  }

  static String missingBinary(String what) {
    return what + " not found (system property presence." + what + ", PATH, /usr/bin); install it, e.g."
        + " 'apt-get install redis-server redis-tools' (Debian/Ubuntu) or 'brew install redis' (macOS)";
  }

  /** Settings of a server to start. Setters validate at once. Not thread-safe. */
  public static final class Builder {
    private int port;
    private final List<String> arguments = new ArrayList<>();
    private @Nullable Path log;
    private Duration startTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * Sets the port; 0 (the default) picks a free one.
     *
     * @param port 0 to 65535
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Adds command-line arguments after the defaults (which they may override), e.g.
     * {@code "--cluster-enabled", "yes"}.
     *
     * @param args the arguments
     * @return this builder
     * @throws NullPointerException if an argument is null
     */
    public Builder arguments(String... args) {
      for (String a : args) {
        arguments.add(Objects.requireNonNull(a, "argument"));
      }
      return this;
    }

    /**
     * Appends the server's output to a file instead of discarding it.
     *
     * @param file the log file
     * @return this builder
     * @throws NullPointerException if {@code file} is null
     */
    public Builder logTo(Path file) {
      this.log = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * Sets how long a start may take until the server answers {@code PING}.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder startTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "startTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive: " + timeout);
      }
      this.startTimeout = timeout;
      return this;
    }

    /**
     * Starts the server and waits until it answers {@code PING}.
     *
     * @return the running server
     * @throws IllegalStateException if there is no redis-server binary, or it does not answer in time
     */
    public RedisServer start() {
      String binary = executable("redis-server").orElseThrow(() -> new IllegalStateException(
          missingBinary("redis-server") + (System.getenv("CI") != null ? " (CI is set: .ci/run installs it)" : "")));
      RedisServer server = new RedisServer(this, binary, port == 0 ? freePort() : port);
      server.launch();
      return server;
    }

    /**
     * Starts the server, or skips the calling JUnit test if there is no binary (fails instead when
     * the environment variable {@code CI} is set). Needs junit-jupiter-api.
     *
     * @return the running server
     * @throws org.opentest4j.TestAbortedException if there is no binary and CI is not set
     * @throws IllegalStateException if there is no binary and CI is set, or it does not answer in time
     */
    public RedisServer startOrSkip() {
      skipUnlessFound("redis-server");
      return start();
    }
  }

  /**
   * Skips the calling JUnit test unless the executable is found (see {@link #executable}); fails
   * instead when the environment variable {@code CI} is set. Needs junit-jupiter-api.
   *
   * @param name the executable, e.g. {@code redis-cli}
   * @throws org.opentest4j.TestAbortedException if it is missing and CI is not set
   * @throws IllegalStateException if it is missing and CI is set
   */
  public static void skipUnlessFound(String name) {
    if (executable(name).isPresent()) {
      return;
    }
    String message = missingBinary(name);
    if (System.getenv("CI") != null) {
      throw new IllegalStateException(message + " (CI is set, so this is a failure)");
    }
    org.junit.jupiter.api.Assumptions.abort(message);
  }
}
