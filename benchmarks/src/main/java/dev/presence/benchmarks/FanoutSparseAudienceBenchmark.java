package dev.presence.benchmarks;

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
 * A large, mostly offline audience: the flapping user shares 5 threads of {@code size / 5}
 * members each, of whom one in ten is online (a workspace at night). One operation is one
 * transition of the flapper; the cost that matters is walking an audience in which few are
 * there to hear. {@code batched} ends its window after every transition (the worst case for
 * batching: nothing to coalesce).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar FanoutSparseAudienceBenchmark -f 1
 * -wi 3 -i 5 -w 1s -r 1s -rf json -rff benchmarks/results/fanout-sparse.json}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Thread)
public class FanoutSparseAudienceBenchmark {
  @Param({"broadcaster", "immediate", "batched"})
  public String impl;

  @Param({"250", "5000"})
  public int size;

  private FanoutPeer peer;
  private PresenceSession session;

  @Setup(Level.Trial)
  public void setUp() {
    peer = new FanoutPeer(impl);
    String[] users = Ids.users(size);
    for (int i = 0; i < users.length; i++) {
      peer.threads.join("t" + (i % 5), users[i]);
      peer.threads.join("t" + (i % 5), "flapper");
      if (i % 10 == 0) {
        peer.connect(users[i]);
      }
    }
    peer.endWindow();
  }

  @Benchmark
  public long transition() {
    if (session == null) {
      session = peer.connect("flapper");
    } else {
      session.close();
      session = null;
    }
    peer.endWindow();
    return peer.sent.sum();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    peer.close();
  }
}
