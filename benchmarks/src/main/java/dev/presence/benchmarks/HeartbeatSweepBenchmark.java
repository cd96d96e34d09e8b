package dev.presence.benchmarks;

import dev.presence.PresenceRegistry;
import dev.presence.Scheduler;
import java.time.Duration;
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
 * One heartbeat sweep of the registry over {@code size} live sessions (one per user), on the
 * calling thread: the time it occupies one core every heartbeat interval. Every session is alive
 * (the ticker stands still, so nobody times out) and its {@code ping()} is a no-op counter, so
 * this is the registry's own cost: walking the users, checking each session's last sign of life
 * and calling its outbound. The sweep runs as the registry schedules it: its {@link Scheduler}
 * here only keeps the task, and each operation runs it once (it then reschedules itself).
 * Neither peer has a heartbeat to compare with.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar HeartbeatSweepBenchmark -f 1 -wi 2
 * -i 3 -w 1s -r 1s -rf json -rff benchmarks/results/heartbeatsweep.json}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx6g")
public class HeartbeatSweepBenchmark {

  @Param({"10000", "100000", "1000000"})
  public int size;

  private final KeepingScheduler scheduler = new KeepingScheduler();
  private final NoOpOutbound outbound = new NoOpOutbound();
  private PresenceRegistry registry;

  @Setup(Level.Trial)
  public void setUp() {
    registry = PresenceRegistry.builder()
        .heartbeatInterval(Duration.ofSeconds(30))
        .ticker(() -> 0L)
        .scheduler(scheduler)
        .build();
    for (String u : Ids.users(size)) {
      registry.connect(u, Ids.session(u, 1), outbound);
    }
    long before = outbound.pings();
    sweep();
    if (outbound.pings() - before != size || registry.totalSessionCount() != size) {
      throw new IllegalStateException("the sweep did not ping every session once");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    registry.close();
  }

  @Benchmark
  public long sweep() {
    scheduler.runKept();
    return outbound.pings();
  }

  /** Keeps the one task the registry schedules (its next sweep) until told to run it. */
  static final class KeepingScheduler implements Scheduler {
    private Runnable kept;

    @Override
    public synchronized Cancellable schedule(Runnable task, Duration delay) {
      kept = task;
      return () -> {
        synchronized (KeepingScheduler.this) {
          if (kept == task) {
            kept = null;
          }
        }
      };
    }

    void runKept() {
      Runnable task;
      synchronized (this) {
        task = kept;
        kept = null;
      }
      if (task == null) {
        throw new IllegalStateException("no sweep scheduled");
      }
      task.run();
    }
  }
}
