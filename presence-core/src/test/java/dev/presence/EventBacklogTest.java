package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presence.test.FakeTime;
import dev.presence.testing.RecordingListener;
import dev.presence.test.RecordingOutbound;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Listeners that fall behind: at {@code maxPendingEvents} an undelivered offline and the next
 * online of the same user cancel out, and a newer update replaces an undelivered one; below the
 * bound every event is delivered. Driven by a hand-run executor.
 */
class EventBacklogTest {
  private final FakeTime time = new FakeTime();
  private final List<Runnable> tasks = new ArrayList<>();
  private final RecordingListener events = new RecordingListener();
  private PresenceRegistry registry;

  private void registry(int maxPending) {
    registry = PresenceRegistry.builder().withoutHeartbeat().ticker(time).clock(time.clock())
        .scheduler(time).eventExecutor(tasks::add).maxPendingEvents(maxPending).build();
    registry.addListener(events);
  }

  @AfterEach
  void close() {
    registry.close();
  }

  private void deliver() {
    while (!tasks.isEmpty()) {
      tasks.remove(0).run();
    }
  }

  @Test
  void atTheBound_anUndeliveredOfflineAndTheNextOnline_cancelOut() {
    registry(3);
    registry.connect("bob", "1", new RecordingOutbound());
    registry.connect("alice", "1", new RecordingOutbound()).close();
    assertThat(registry.stats().eventsPending()).isEqualTo(3);

    registry.connect("alice", "2", new RecordingOutbound());
    assertThat(registry.stats().eventsPending()).isEqualTo(2);
    assertThat(registry.stats().eventsCoalesced()).isEqualTo(2);

    deliver();
    assertThat(events.log()).containsExactly("+bob", "+alice");
    assertThat(registry.stats().eventsPending()).isZero();
  }

  @Test
  void belowTheBound_everyTransitionIsDelivered() {
    registry(4);
    registry.connect("bob", "1", new RecordingOutbound());
    registry.connect("alice", "1", new RecordingOutbound()).close();
    registry.connect("alice", "2", new RecordingOutbound());

    deliver();
    assertThat(events.log()).containsExactly("+bob", "+alice", "-alice", "+alice");
    assertThat(registry.stats().eventsCoalesced()).isZero();
  }

  @Test
  void atTheBound_aNewerUpdateReplacesTheUndeliveredOne_withBothChanges() {
    registry(3);
    registry.connect("bob", "1", new RecordingOutbound());
    registry.connect("alice", "1", new RecordingOutbound());
    registry.setAvailability("alice", Availability.BUSY);

    registry.setStatusText("alice", StatusText.of("Focus"));

    deliver();
    assertThat(events.log()).containsExactly("+bob", "+alice", "alice:busy 'Focus'");
    assertThat(events.updates().get(0).changes())
        .containsExactlyInAnyOrder(PresenceUpdate.Change.STATUS, PresenceUpdate.Change.STATUS_TEXT);
  }

  @Test
  void withoutListeners_nothingIsQueued() {
    registry = PresenceRegistry.builder().withoutHeartbeat().ticker(time).clock(time.clock())
        .scheduler(time).eventExecutor(tasks::add).build();
    registry.connect("alice", "1", new RecordingOutbound()).close();
    registry.connect("alice", "2", new RecordingOutbound());

    assertThat(tasks).isEmpty();
    assertThat(registry.stats().eventsPending()).isZero();
    registry.addListener(events);
    registry.setAvailability("alice", Availability.BUSY);
    deliver();
    assertThat(events.log()).as("a listener added later hears later changes").containsExactly("alice:busy");
  }

  @Test
  void fanoutWithoutWindow_sendsStatusChangesAtOnce_butNotMetadata() {
    registry(100);
    ThreadMembership threads = new ThreadMembership();
    threads.joinAll("t1", List.of("alice", "bob"));
    try (PresenceFanout fanout = PresenceFanout.builder(registry, threads).build()) {
      RecordingOutbound bob = new RecordingOutbound();
      registry.connect("bob", "1", bob);
      PresenceSession alice = registry.connect("alice", "1", new RecordingOutbound());
      deliver();
      long before = fanout.messagesSent();
      bob.sent.clear();

      registry.setAvailability("alice", Availability.BUSY);
      alice.metadata(Map.of("device", "phone"));
      deliver();

      assertThat(bob.sent).singleElement().asString()
          .contains("\"type\":\"user_status_changed\"", "\"user_id\":\"alice\"", "\"status\":\"busy\"");
      assertThat(fanout.messagesSent()).isEqualTo(before + 1);
    }
  }

  @Test
  void closedFanout_sendsNoStatusChange_andLeavesNoWindowTimer() {
    registry(100);
    ThreadMembership threads = new ThreadMembership();
    threads.joinAll("t1", List.of("alice", "bob"));
    PresenceFanout fanout = PresenceFanout.builder(registry, threads)
        .batchWindow(java.time.Duration.ofSeconds(1)).scheduler(time).build();
    RecordingOutbound bob = new RecordingOutbound();
    registry.connect("bob", "1", bob);
    registry.connect("alice", "1", new RecordingOutbound());
    deliver();
    assertThat(time.pendingTasks()).as("the window's flush").isEqualTo(1);

    fanout.close();
    assertThat(time.pendingTasks()).isZero();
    registry.setAvailability("alice", Availability.BUSY);
    deliver();
    assertThat(bob.sent).isEmpty();
  }
}
