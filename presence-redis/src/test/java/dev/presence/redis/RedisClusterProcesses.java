package dev.presence.redis;

import static org.awaitility.Awaitility.await;

import dev.presence.test.RedisServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Redis Cluster of six redis-server processes (three masters, three replicas) on free
 * loopback ports, created with {@code redis-cli --cluster create}, persistence off, each process
 * stopped by its own handle. Without redis-server or redis-cli the calling test is skipped,
 * unless the environment variable CI is set, in which case it fails.
 */
final class RedisClusterProcesses implements AutoCloseable {
  private static final String CLI = RedisServer.executable("redis-cli").orElse(null);
  /** How long a master may be silent before its replica takes over. */
  static final Duration NODE_TIMEOUT = Duration.ofSeconds(1);

  private final Path dir;
  final List<Integer> ports = new ArrayList<>();
  private final Map<Integer, RedisServer> processes = new TreeMap<>();

  private RedisClusterProcesses(Path dir) {
    this.dir = dir;
  }

  static RedisClusterProcesses startOrSkip() {
    RedisServer.skipUnlessFound("redis-server");
    RedisServer.skipUnlessFound("redis-cli");
    Path dir;
    try {
      dir = Files.createTempDirectory("presence-redis-cluster");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    RedisClusterProcesses cluster = new RedisClusterProcesses(dir);
    try {
      cluster.start();
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void start() {
    for (int i = 0; i < 6; i++) {
      int port = freePortWithFreeBusPort();
      ports.add(port);
      processes.put(port, launch(port)); // returns once it answers PING
    }
    List<String> args = new ArrayList<>(List.of(CLI, "--cluster", "create"));
    for (int port : ports) {
      args.add("127.0.0.1:" + port);
    }
    args.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    run(args);
    await("cluster state ok").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(() -> ports.stream().allMatch(
            p -> command(p, "CLUSTER INFO").contains("cluster_state:ok")));
    // every replica attached and in sync, so a failover has someone to promote
    await("replicas in sync").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(() -> masters().size() == 3 && ports.stream().filter(p -> !masters().contains(p))
            .allMatch(p -> command(p, "INFO replication").contains("master_link_status:up")));
  }

  private RedisServer launch(int port) {
    return RedisServer.builder().port(port)
        .arguments("--cluster-enabled", "yes",
            "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toString(),
            "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT.toMillis()),
            "--dir", dir.toString())
        .logTo(dir.resolve("redis-" + port + ".log"))
        .start();
  }

  /** The seed URIs of every node. */
  String[] seeds() {
    return ports.stream().map(p -> "redis://127.0.0.1:" + p).toArray(String[]::new);
  }

  /** Ports of the nodes that currently are masters serving slots, as the live nodes report. */
  List<Integer> masters() {
    List<Integer> out = new ArrayList<>();
    for (int port : processes.keySet()) {
      String nodes = command(port, "CLUSTER NODES");
      if (nodes.isEmpty()) {
        continue;
      }
      for (String line : nodes.split("\n", -1)) {
        String[] f = line.trim().split(" ", -1);
        if (f.length > 8 && f[2].contains("master") && !f[2].contains("fail")) {
          int p = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1).split("@", -1)[0]);
          if (!out.contains(p)) {
            out.add(p);
          }
        }
      }
      return out;
    }
    return out;
  }

  /** Kills a node at once (SIGKILL), as a crashed machine would go. */
  void kill(int port) {
    RedisServer node = processes.remove(port);
    if (node != null) {
      node.kill();
    }
  }

  /** Whether every live node reports a healthy cluster with three serving masters. */
  boolean healthy() {
    return masters().size() == 3 && processes.keySet().stream()
        .allMatch(p -> command(p, "CLUSTER INFO").contains("cluster_state:ok"));
  }

  /** Sends one inline command to a node and returns the raw reply. */
  static String command(int port, String line) {
    return RedisServer.command(port, line);
  }

  private static void run(List<String> args) {
    try {
      Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("failed: " + String.join(" ", args) + "\n" + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (int port : List.copyOf(processes.keySet())) {
      kill(port);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }

  /** A free port whose cluster bus port (port + 10000) is free too. */
  private static int freePortWithFreeBusPort() {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 55_000);
      if (free(port) && free(port + 10_000)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port pair found");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
