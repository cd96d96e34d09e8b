package dev.presence.benchmarks;

import dev.presence.PresenceSession;
import java.util.ArrayList;
import java.util.List;
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
 * The large room: one thread of {@code size} members, all online; 50 of them flap. One operation
 * is one transition of a flapper (connect or disconnect, alternately), including what the
 * fan-out does for it: for {@code broadcaster} and {@code immediate}, a message to each of the
 * {@code size - 1} other members at once; for {@code batched}, recording the change, plus a
 * 50th of a window's flush (the window ends after every 50 transitions, i.e. each flapper flips
 * once per window), which sends every member one {@code presence_diff}. Outbounds only count.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar FanoutLargeRoomBenchmark -f 1 -wi 3
 * -i 5 -w 1s -r 1s -rf json -rff benchmarks/results/fanout-large-room.json}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Thread)
public class FanoutLargeRoomBenchmark {
  static final int FLAPPERS = 50;

  @Param({"broadcaster", "immediate", "batched"})
  public String impl;

  @Param({"1000", "5000"})
  public int size;

  private FanoutPeer peer;
  private String[] flappers;
  private final List<PresenceSession> open = new ArrayList<>();
  private PresenceSession[] sessions;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    peer = new FanoutPeer(impl);
    String[] users = Ids.users(size);
    for (String u : users) {
      peer.threads.join("room", u);
    }
    for (int i = FLAPPERS; i < users.length; i++) {
      open.add(peer.connect(users[i]));
    }
    flappers = java.util.Arrays.copyOf(users, FLAPPERS);
    sessions = new PresenceSession[FLAPPERS];
    peer.endWindow();
  }

  @Benchmark
  public long transition() {
    int i = next;
    next = i + 1 == FLAPPERS ? 0 : i + 1;
    PresenceSession s = sessions[i];
    if (s == null) {
      sessions[i] = peer.connect(flappers[i]);
    } else {
      s.close();
      sessions[i] = null;
    }
    if (next == 0) {
      peer.endWindow();
    }
    return peer.sent.sum();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    peer.close();
  }
}
