package dev.presence.benchmarks;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Two threads on one registry with {@code size} users online: one thread answers "is X online?"
 * as fast as it can ({@code lookup}, e.g. request threads enriching JSON), the other makes users
 * come and go ({@code churn}: connect + disconnect of a user, two transitions). Lookups far
 * outnumber changes, as in a real server; the interesting number is how much the churn slows the
 * lookups down, and how fast churn goes while lookups run. Throughput, per thread.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ReadMostlyMixBenchmark -f 1 -wi 2
 * -i 3 -w 1s -r 1s -rf json -rff benchmarks/results/readmostlymix.json}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class ReadMostlyMixBenchmark {
  private static final int KEYS = 1 << 16;
  private static final int SLOTS = 1 << 10;

  /** The registry shared by the two threads of a group. */
  @State(Scope.Group)
  public static class Shared {
    @Param({"chm", "spring", "spring_events", "presence"})
    public String impl;

    @Param({"100000"})
    public int size;

    Peer peer;
    String[] keys;

    @Setup(Level.Trial)
    public void setUp() {
      peer = Peer.create(impl);
      String[] users = Ids.users(size + SLOTS);
      for (int i = SLOTS; i < users.length; i++) {
        peer.populate(users[i], Ids.session(users[i], 1));
      }
      String[] churned = Arrays.copyOf(users, SLOTS);
      peer.prepare(churned, Ids.sessions(churned, 1));
      keys = Ids.sample(users, KEYS, 7); // mostly online users, sometimes a churning one
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      peer.close();
    }
  }

  /** Each thread's own position. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Benchmark
  @Group("mix")
  @GroupThreads(1)
  public boolean lookup(Shared s, Cursor c) {
    return s.peer.isOnline(s.keys[c.next++ & (KEYS - 1)]);
  }

  @Benchmark
  @Group("mix")
  @GroupThreads(1)
  public void churn(Shared s, Cursor c) {
    int slot = c.next++ & (SLOTS - 1);
    s.peer.connect(slot);
    s.peer.disconnect(slot);
  }
}
