package dev.presence.benchmarks;

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
 * One connect plus one disconnect (one operation = the pair), with {@code size} other users
 * online:
 * <ul>
 *   <li>{@code newUser}: a user who was offline connects and leaves again, two transitions
 *       (for us: an online and an offline event queued and delivered, no listener);</li>
 *   <li>{@code secondTab}: a user already online with one tab opens and closes a second tab, no
 *       transition. The {@code chm} peer cannot represent this: its second {@code put} replaces
 *       the first tab and the close removes the user although the first tab is still open, so
 *       its number is the cost of a wrong answer.</li>
 * </ul>
 * 1 Ki users are cycled, so each slot is offline (or back to one tab) when it comes round again.
 * {@code spring} is Spring's registry alone, fed prebuilt events (its best case);
 * {@code spring_events} is what a Spring application pays: a new event per connect and
 * disconnect, published through the application-event multicaster.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ChurnBenchmark -f 1 -wi 2 -i 3
 * -w 1s -r 1s -rf json -rff benchmarks/results/churn.json}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class ChurnBenchmark {
  static final int SLOTS = 1 << 10;

  /** A peer with {@code size} users online and {@link #SLOTS} offline users ready to churn. */
  @State(Scope.Thread)
  public static class NewUser {
    @Param({"chm", "spring", "spring_events", "presence"})
    public String impl;

    @Param({"10000"})
    public int size;

    Peer peer;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      peer = Peer.create(impl);
      String[] users = Ids.users(size + SLOTS);
      for (int i = SLOTS; i < users.length; i++) {
        peer.populate(users[i], Ids.session(users[i], 1));
      }
      String[] churned = java.util.Arrays.copyOf(users, SLOTS);
      peer.prepare(churned, Ids.sessions(churned, 1));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      peer.close();
    }
  }

  /** Like {@link NewUser}, but the churned users already have their first tab open. */
  @State(Scope.Thread)
  public static class SecondTab {
    @Param({"chm", "spring", "spring_events", "presence"})
    public String impl;

    @Param({"10000"})
    public int size;

    Peer peer;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      peer = Peer.create(impl);
      String[] users = Ids.users(size + SLOTS);
      for (String u : users) {
        peer.populate(u, Ids.session(u, 1));
      }
      String[] churned = java.util.Arrays.copyOf(users, SLOTS);
      peer.prepare(churned, Ids.sessions(churned, 2));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      peer.close();
    }
  }

  @Benchmark
  public void newUser(NewUser s) {
    int slot = s.next++ & (SLOTS - 1);
    s.peer.connect(slot);
    s.peer.disconnect(slot);
  }

  @Benchmark
  public void secondTab(SecondTab s) {
    int slot = s.next++ & (SLOTS - 1);
    s.peer.connect(slot);
    s.peer.disconnect(slot);
  }
}
