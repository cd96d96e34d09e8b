package dev.presence.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo server in a JVM of its own (so that its CPU, memory and GC are measured apart from the
 * load), started from this JVM's class path with {@code dev.presence.demo.DemoMain}. Reads its
 * CPU time and resident memory from {@code /proc}, its heap and GC pauses with {@code jcmd} and
 * {@code -Xlog:gc}. Not thread-safe: one orchestrating thread owns it.
 */
final class DemoProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/");
  private static final Pattern PAUSE = Pattern.compile("Pause.* (\\d+\\.\\d+)ms$");
  private static final Pattern USED = Pattern.compile("used (\\d+)K");
  private static final Pattern STOPPED = Pattern.compile("Stopped with \\d+ sessions in .*");
  private static final long TICK_NANOS = 10_000_000L; // USER_HZ = 100 on Linux

  final int port;
  final Path gcLog;
  private final Process process;
  private final Thread reader;
  private final CompletableFuture<String> stopped;

  private DemoProcess(Process process, int port, Path gcLog, Thread reader, CompletableFuture<String> stopped) {
    this.process = process;
    this.port = port;
    this.gcLog = gcLog;
    this.reader = reader;
    this.stopped = stopped;
  }

  /**
   * Starts the demo and waits for its listening line.
   *
   * @param port 0 for any free port, or the port of the demo it replaces
   * @param heap the -Xmx value, e.g. {@code 2g}
   * @param flags the demo's own flags
   */
  static DemoProcess start(int port, String heap, Path workDir, List<String> flags) throws IOException {
    Files.createDirectories(workDir);
    Path gcLog = Files.createTempFile(workDir, "demo-gc-", ".log");
    List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx" + heap, "-Xms" + heap,
        "-XX:+UseG1GC", "-Xlog:gc:file=" + gcLog, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-Dorg.slf4j.simpleLogger.log.dev.presence.demo.DemoServer=info",
        "-cp", System.getProperty("java.class.path"), "dev.presence.demo.DemoMain",
        "--port", Integer.toString(port)));
    cmd.addAll(flags);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Integer> bound = new CompletableFuture<>();
    CompletableFuture<String> stopped = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try {
        for (String line; (line = out.readLine()) != null; ) {
          Matcher m = LISTENING.matcher(line);
          Matcher s = STOPPED.matcher(line);
          if (m.find()) {
            bound.complete(Integer.parseInt(m.group(1)));
          } else if (s.find()) {
            stopped.complete(s.group());
          } else if (!line.contains(" INFO ") && !line.isBlank()) { // not the demo's other INFO lines
            System.err.println("[demo] " + line);
          }
        }
      } catch (IOException e) {
        // the process ended
      }
      bound.completeExceptionally(new IOException("the demo exited before it listened"));
    }, "demo-output");
    reader.setDaemon(true);
    reader.start();
    try {
      int actual = bound.get(60, TimeUnit.SECONDS);
      return new DemoProcess(p, actual, gcLog, reader, stopped);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IOException("could not start the demo: " + e.getMessage(), e);
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  long pid() {
    return process.pid();
  }

  /** User plus system CPU time of the demo process so far, in nanoseconds. */
  long cpuNanos() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS; // utime, stime
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * CPU time (user plus system, nanoseconds) of the demo's threads so far, summed by thread name
   * without its trailing number ("qtp123-45" and "qtp123-46" are "qtp"), from
   * /proc/PID/task/TID/stat. Threads that ended are missing.
   */
  java.util.Map<String, Long> cpuNanosByThread() {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid()), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
          long nanos = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS;
          out.merge(name.replaceAll("[-#0-9 ]+$", ""), nanos, Long::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    return out;
  }

  /** A field of /proc/PID/status in KiB (VmRSS, VmHWM), or -1. */
  long statusKib(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return -1;
  }

  /** Runs a full GC in the demo and returns the heap in use after it, in bytes (or -1). */
  long heapUsedAfterGc() {
    jcmd("GC.run");
    Matcher m = USED.matcher(jcmd("GC.heap_info"));
    return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
  }

  private String jcmd(String command) {
    try {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(pid()), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(60, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** GC pauses logged so far, in milliseconds. */
  List<Double> gcPauses() {
    List<Double> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(gcLog)) {
        Matcher m = PAUSE.matcher(line);
        if (m.find()) {
          out.add(Double.parseDouble(m.group(1)));
        }
      }
    } catch (IOException e) {
      // none
    }
    return out;
  }

  /** Stops the demo with SIGTERM (its graceful shutdown) and returns how long it took to exit. */
  Duration stop() throws InterruptedException {
    long t0 = System.nanoTime();
    process.toHandle().destroy(); // SIGTERM; unlike Process.destroy(), leaves its output readable
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    reader.join(5000); // its last lines, the shutdown's breakdown among them
    return took;
  }

  /** The demo's own account of its shutdown (where the time went), or "?" if it did not log one. */
  String stopBreakdown() {
    return stopped.getNow("?");
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
