package dev.presence;

import dev.presence.test.FakeTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * The fan-out tests' shared set-up: a registry on fake time without a heartbeat that delivers its
 * events on the calling thread, a thread membership, and whatever a test opens (fan-outs,
 * listeners), closed after the test before the registry. Not thread-safe: one per test instance.
 */
final class FanoutFixture {
  final FakeTime time = new FakeTime();
  final ThreadMembership threads = new ThreadMembership();
  final PresenceRegistry registry;
  private final List<AutoCloseable> opened = new ArrayList<>();

  FanoutFixture() {
    this(UnaryOperator.identity());
  }

  /** With further registry settings (a policy, an offline grace) applied to the fixture's own. */
  FanoutFixture(UnaryOperator<PresenceRegistry.Builder> settings) {
    registry = settings.apply(PresenceRegistry.builder().withoutHeartbeat().ticker(time)
        .clock(time.clock()).scheduler(time).eventExecutor(Runnable::run)).build();
  }

  /** A fan-out builder over this registry and membership, its window on the fixture's fake time. */
  PresenceFanout.Builder fanout(Duration window) {
    return PresenceFanout.builder(registry, threads).batchWindow(window).scheduler(time);
  }

  /**
   * Users {@code u0..u(count-1)}, each joined to each of threads {@code t0..t(threadCount-1)} with
   * probability 1/{@code oneIn}, drawn from {@code rnd} thread by thread.
   */
  List<String> joinAtRandom(Random rnd, int count, int threadCount, int oneIn) {
    List<String> users = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      users.add("u" + i);
    }
    for (int t = 0; t < threadCount; t++) {
      for (String u : users) {
        if (rnd.nextInt(oneIn) == 0) {
          threads.join("t" + t, u);
        }
      }
    }
    return users;
  }

  /** Closes {@code resource} after the test, before the registry; returns it. */
  <T extends AutoCloseable> T closeAfter(T resource) {
    opened.add(resource);
    return resource;
  }

  /** After the test: what it opened, in order, then the registry. */
  void close() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
    registry.close();
  }
}
