package dev.presence.internal;

import dev.presence.DisconnectReason;
import dev.presence.Outbound;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.Scheduler;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.ConcurrentHashMap;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of connect / close / isOnline / sessionCount, checked by
 * Lincheck against a sequential run of the same operations. Two users with two session ids
 * each, so that tabs of one user race as well as different users. The open and the close of
 * one connection are ordered (as a transport orders them) by keying handles per connection.
 * The global counters are documented as exact only at quiescence and are checked by the
 * stress test instead.
 */
@Param(name = "user", gen = IntGen.class, conf = "0:1")
@Param(name = "session", gen = IntGen.class, conf = "0:1")
public class PresenceRegistryLincheckTest {
  private static final Outbound NOOP = new Outbound() {
    @Override
    public void ping() {}

    @Override
    public void send(String text) {}

    @Override
    public void close(DisconnectReason reason) {}
  };
  private static final Scheduler NO_TIMERS = (task, delay) -> {
    throw new AssertionError("no timer expected without heartbeat and grace");
  };

  private final PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat()
      .ticker(() -> 0L).clock(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC)).scheduler(NO_TIMERS).build();
  private final ConcurrentHashMap<String, PresenceSession> handles = new ConcurrentHashMap<>();

  @Operation
  public void connect(@Param(name = "user") int user, @Param(name = "session") int session) {
    handles.compute(user + "/" + session, (k, old) -> registry.connect("u" + user, "s" + session, NOOP));
  }

  @Operation
  public boolean close(@Param(name = "user") int user, @Param(name = "session") int session) {
    boolean[] closed = {false};
    handles.computeIfPresent(user + "/" + session, (k, h) -> {
      closed[0] = h.isOpen();
      h.close();
      return null;
    });
    return closed[0];
  }

  @Operation
  public boolean isOnline(@Param(name = "user") int user) {
    return registry.isOnline("u" + user);
  }

  @Operation
  public int sessionCount(@Param(name = "user") int user) {
    return registry.sessionCount("u" + user);
  }

  @Test
  void modelChecking() {
    new ModelCheckingOptions().iterations(30).invocationsPerIteration(500)
        .threads(3).actorsPerThread(3).check(getClass());
  }

  @Test
  void stress() {
    new StressOptions().iterations(20).invocationsPerIteration(1_000)
        .threads(3).actorsPerThread(3).check(getClass());
  }
}
