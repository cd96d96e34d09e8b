package dev.presence.benchmarks;

import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * What one user's sessions cost as their number grows (1 → 64 → 10 000 sessions of a single
 * user, heartbeat off, no listener):
 * <ul>
 *   <li>{@code oneMore}: the user has {@code sessions} open; one more connects and closes
 *       (one operation = the pair). Constant if add/remove are O(1); linear in {@code sessions}
 *       if every connect copies the user's session array.</li>
 *   <li>{@code fillAndEmpty}: {@code sessions} sessions of one user connect one after the other,
 *       then all close (one operation = the whole fill and empty). Linear if add/remove are
 *       O(1); quadratic with a copied array.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SessionsPerUserBenchmark -f 1 -wi 2
 * -i 3 -w 1s -r 1s -rf json -rff benchmarks/results/sessions-per-user.json}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class SessionsPerUserBenchmark {

  /** One user with {@code sessions} open sessions, and ids for the rest. */
  @State(Scope.Thread)
  public static class OneUser {
    @Param({"1", "64", "10000"})
    public int sessions;

    PresenceRegistry registry;
    String[] ids;
    PresenceSession[] open;

    @Setup(Level.Trial)
    public void setUp() {
      registry = PresenceRegistry.builder().withoutHeartbeat().maxSessionsPerUser(sessions + 1).build();
      ids = new String[sessions + 1];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = "s" + i;
      }
      open = new PresenceSession[sessions];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      registry.close();
    }
  }

  /** {@link OneUser} with its sessions already open, for {@code oneMore}. */
  @State(Scope.Thread)
  public static class Populated extends OneUser {
    @Setup(Level.Trial)
    public void populate() {
      for (int i = 0; i < sessions; i++) {
        registry.connect("u", ids[i], NoOpOutbound.INSTANCE);
      }
    }
  }

  @Benchmark
  public boolean oneMore(Populated s) {
    PresenceSession extra = s.registry.connect("u", s.ids[s.sessions], NoOpOutbound.INSTANCE);
    extra.close();
    return extra.isOpen();
  }

  @Benchmark
  public int fillAndEmpty(OneUser s) {
    int n = s.sessions;
    PresenceSession[] open = s.open;
    for (int i = 0; i < n; i++) {
      open[i] = s.registry.connect("u", s.ids[i], NoOpOutbound.INSTANCE);
    }
    int peak = s.registry.sessionCount("u");
    for (int i = 0; i < n; i++) {
      open[i].close();
    }
    return peak;
  }
}
