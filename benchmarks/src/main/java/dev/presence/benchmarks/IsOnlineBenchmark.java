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
 * "Is user X online?" with {@code size} users online, for a user who is ({@code hit}) and one who
 * is not ({@code miss}). The keys are 64 Ki ids drawn at random from the whole population (or
 * absent ids), walked in order, so that large sizes pay the cache misses a real server pays.
 * The cost should not grow with the number of users beyond those cache effects.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar IsOnlineBenchmark -f 1 -wi 2 -i 3
 * -w 1s -r 1s -rf json -rff benchmarks/results/isonline.json}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx6g")
public class IsOnlineBenchmark {
  private static final int KEYS = 1 << 16;

  @Param({"chm", "spring", "presence"})
  public String impl;

  @Param({"1000", "100000", "1000000"})
  public int size;

  private Peer peer;
  private String[] hits;
  private String[] misses;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    peer = Peer.create(impl);
    String[] users = Ids.users(size);
    for (String u : users) {
      peer.populate(u, Ids.session(u, 1));
    }
    hits = Ids.sample(users, KEYS, 1);
    misses = Ids.absentUsers(KEYS);
    if (!peer.isOnline(hits[0]) || peer.isOnline(misses[0])) {
      throw new IllegalStateException(impl + " answers wrongly");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    peer.close();
  }

  @Benchmark
  public boolean hit() {
    return peer.isOnline(hits[next++ & (KEYS - 1)]);
  }

  @Benchmark
  public boolean miss() {
    return peer.isOnline(misses[next++ & (KEYS - 1)]);
  }
}
