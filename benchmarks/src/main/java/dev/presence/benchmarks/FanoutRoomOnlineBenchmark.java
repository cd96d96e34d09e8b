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
 * A large room coming online: one thread of {@code size} members, none online; one operation is
 * every member connecting and being sent its {@code presence_state}, {@code perWindow} members per
 * batch window, with everything the fan-out sends meanwhile (diffs, or {@code user_status_changed}
 * with window 0). {@code immediate} (window 0) builds each state on its own as the member
 * connects; {@code batched} (window 1 s, ended by hand after every {@code perWindow} connects)
 * builds the window's states together at its end. Divide by {@code size} for the cost per member;
 * {@code -prof gc}'s {@code gc.alloc.rate.norm} divided by {@code size} is the allocation per
 * member, which does not depend on the machine's load. Outbounds only count.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar FanoutRoomOnlineBenchmark -prof gc
 * -rf json -rff benchmarks/results/fanout-room-online.json}
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Thread)
public class FanoutRoomOnlineBenchmark {
  @Param({"immediate", "batched"})
  public String impl;

  @Param({"1000", "5000"})
  public int size;

  @Param({"100"})
  public int perWindow;

  private FanoutPeer peer;
  private String[] users;

  @Setup(Level.Invocation)
  public void setUp() {
    peer = new FanoutPeer(impl);
    users = Ids.users(size);
    peer.threads.joinAll("room", java.util.Arrays.asList(users));
  }

  @Benchmark
  public long roomComesOnline() {
    for (int i = 0; i < users.length; i++) {
      peer.connectWithState(users[i]);
      if ((i + 1) % perWindow == 0) {
        peer.endWindow();
      }
    }
    peer.endWindow();
    return peer.sent.sum();
  }

  @TearDown(Level.Invocation)
  public void tearDown() throws Exception {
    peer.close();
  }
}
