package dev.presence.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presence.DisconnectReason;
import dev.presence.LastSeenStore;
import dev.presence.Outbound;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PresenceMetersTest {
  private static final Outbound NOOP = new Outbound() {
    @Override public void ping() {}
    @Override public void send(String text) {}
    @Override public void close(DisconnectReason reason) {}
  };

  private final AtomicBoolean storeDown = new AtomicBoolean();
  private final LastSeenStore backing = LastSeenStore.inMemory();
  private final MonitoredLastSeenStore monitored = MonitoredLastSeenStore.of(new LastSeenStore() {
    @Override
    public void recordAll(Map<String, Instant> lastSeen) {
      if (storeDown.get()) {
        throw new IllegalStateException("store down");
      }
      backing.recordAll(lastSeen);
    }

    @Override
    public Map<String, Instant> readAll(Collection<String> userIds) {
      return backing.readAll(userIds);
    }
  });
  private final PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat()
      .lastSeenStore(monitored).build();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void gaugesAndCounters_followTheRegistry() {
    PresenceMeters binder = PresenceMeters.builder(registry).sessionsRefused(() -> 4).build();
    binder.bindTo(meters);

    PresenceSession a1 = registry.connect("a", "1", NOOP);
    registry.connect("a", "2", NOOP);
    registry.connect("b", "1", NOOP);
    assertThat(meters.get("presence.sessions").gauge().value()).isEqualTo(3);
    assertThat(meters.get("presence.users.online").gauge().value()).isEqualTo(2);
    // listeners hear of transitions on the registry's event thread
    org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() ->
        meters.get("presence.transitions").tag("direction", "online").functionCounter().count() == 2);

    a1.close();
    assertThat(meters.get("presence.sessions").gauge().value()).isEqualTo(2);
    assertThat(meters.get("presence.transitions").tag("direction", "offline").functionCounter().count())
        .isZero();
    a1.close(); // idempotent: counted once
    registry.connect("b", "2", NOOP).close(DisconnectReason.SLOW_CONSUMER);
    assertThat(meters.get("presence.sessions.ended").tag("reason", "closed")
        .functionCounter().count()).isEqualTo(1);
    assertThat(meters.get("presence.sessions.ended").tag("reason", "slow_consumer")
        .functionCounter().count()).isEqualTo(1);
    assertThat(meters.get("presence.sessions.refused").tag("cause", "unauthenticated")
        .functionCounter().count()).isEqualTo(4);
    assertThat(meters.get("presence.sessions.refused").tag("cause", "capacity")
        .functionCounter().count()).isZero();
    assertThat(meters.get("presence.events.pending").gauge().value()).isGreaterThanOrEqualTo(0);

    binder.close();
    registry.connect("c", "1", NOOP);
    assertThat(meters.get("presence.transitions").tag("direction", "online").functionCounter().count())
        .as("no counting after close").isEqualTo(2);
  }

  @Test
  void lastSeenMeters_countWritesAndFailures() {
    PresenceMeters.builder(registry).monitoredStore(monitored).build().bindTo(meters);
    registry.connect("a", "1", NOOP).close();
    org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() ->
        meters.get("presence.last_seen.written").functionCounter().count() == 1);
    assertThat(meters.get("presence.last_seen.write").functionTimer().count()).isEqualTo(1);
    assertThat(monitored.failingSince()).isEmpty();

    storeDown.set(true);
    registry.connect("b", "1", NOOP).close();
    org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() ->
        meters.get("presence.last_seen.failures").functionCounter().count() >= 1);
    assertThat(monitored.failingSince()).isPresent();
    assertThat(monitored.lastError()).hasValueSatisfying(e -> assertThat(e).contains("store down"));
    // the failed batch goes back to the queue after the store's exception reaches the flusher,
    // so the gauge shows it a moment after the failure is counted
    org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() ->
        meters.get("presence.last_seen.pending").gauge().value() == 1);

    storeDown.set(false);
    org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() ->
        monitored.failingSince().isEmpty());
    assertThat(meters.get("presence.last_seen.written").functionCounter().count()).isEqualTo(2);
  }

  @Test
  void builder_rejectsNulls() {
    assertThatThrownBy(() -> PresenceMeters.builder(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("registry");
    assertThatThrownBy(() -> PresenceMeters.builder(registry).sessionsRefused(null))
        .hasMessage("sessionsRefused");
  }
}
