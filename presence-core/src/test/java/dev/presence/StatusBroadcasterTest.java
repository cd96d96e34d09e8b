package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presence.test.FakeTime;
import dev.presence.test.RecordingOutbound;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatusBroadcasterTest {
  private final FakeTime time = new FakeTime();
  private final PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat()
      .ticker(time).clock(time.clock()).scheduler(time).eventExecutor(Runnable::run).build();
  private final ThreadMembership threads = new ThreadMembership();

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void transition_reachesEveryTabOfOnlineCoMembers_butNotTheUserOrOutsiders() {
    threads.joinAll("t1", List.of("alice", "bob", "carol"));
    threads.join("t2", "dave");
    StatusBroadcaster.install(registry, threads);
    RecordingOutbound bobTab1 = new RecordingOutbound();
    RecordingOutbound bobTab2 = new RecordingOutbound();
    RecordingOutbound dave = new RecordingOutbound();
    registry.connect("bob", "1", bobTab1);
    registry.connect("bob", "2", bobTab2);
    registry.connect("dave", "1", dave);

    RecordingOutbound alice = new RecordingOutbound();
    PresenceSession s = registry.connect("alice", "1", alice);
    s.close();

    String on = "{\"type\":\"user_status_changed\",\"user_id\":\"alice\",\"is_online\":true,"
        + "\"status\":\"available\",\"last_active\":\"2026-01-01T00:00:00Z\"}";
    String off = "{\"type\":\"user_status_changed\",\"user_id\":\"alice\",\"is_online\":false,\"status\":\"offline\"}";
    assertThat(bobTab1.sent).containsExactly(on, off);
    assertThat(bobTab2.sent).containsExactly(on, off);
    assertThat(alice.sent).isEmpty();
    assertThat(dave.sent).isEmpty();
  }

  @Test
  void closedSubscription_stopsBroadcasting() {
    threads.joinAll("t1", List.of("alice", "bob"));
    Subscription sub = StatusBroadcaster.install(registry, threads);
    RecordingOutbound bob = new RecordingOutbound();
    registry.connect("bob", "1", bob);
    sub.close();
    registry.connect("alice", "1", new RecordingOutbound());

    assertThat(bob.sent).isEmpty();
  }

  @Test
  void membership_isMaintainedBothWays() {
    threads.joinAll("t1", List.of("alice", "bob"));
    threads.join("t2", "alice");
    threads.join("t2", "carol");
    assertThat(threads.audienceOf("alice")).containsExactlyInAnyOrder("bob", "carol");
    assertThat(threads.threadsOf("alice")).containsExactlyInAnyOrder("t1", "t2");

    threads.leave("t2", "carol");
    assertThat(threads.audienceOf("alice")).containsExactly("bob");
    threads.removeThread("t1");
    assertThat(threads.audienceOf("alice")).isEmpty();
    assertThat(threads.audienceOf("bob")).isEmpty();
    assertThat(threads.membersOf("t2")).containsExactly("alice");
    assertThat(threads.threadCount()).isEqualTo(1);
  }

  @Test
  void joinAll_withABlankId_addsNobody() {
    assertThatThrownBy(() -> threads.joinAll("t1", List.of("alice", " ")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("userIds element must not be blank: ' '");
    assertThat(threads.membersOf("t1")).isEmpty();
  }

  @Test
  void messages_escapeAnyUserId() {
    String id = "a\"b\\c\n</script>";
    String json = PresenceMessages.userStatusChanged(id, true);
    assertThat(json).isEqualTo("{\"type\":\"user_status_changed\",\"user_id\":\"a\\\"b\\\\c\\n</script>\",\"is_online\":true}");
    assertThat(PresenceMessages.invitationAccepted("t\"1", "dave", false))
        .isEqualTo("{\"type\":\"invitation_accepted\",\"thread_id\":\"t\\\"1\",\"user_id\":\"dave\",\"is_online\":false}");
  }

  @Test
  void pong_isRecognized_whateverTheFormatting() {
    assertThat(PresenceMessages.isPong("{\"type\":\"pong\"}")).isTrue();
    assertThat(PresenceMessages.isPong(" { \"type\" : \"pong\", \"t\": 1 } ")).isTrue();
    assertThat(PresenceMessages.isPong("{\"type\":\"ping\"}")).isFalse();
    assertThat(PresenceMessages.isPong("pong")).isFalse();
    assertThat(PresenceMessages.isPong("{broken pong")).isFalse();
    assertThat(PresenceMessages.isPong(null)).isFalse();
    assertThat(PresenceMessages.typeOf("[1,2]")).isNull();
    assertThat(PresenceMessages.typeOf("{\"type\":7}")).isNull();
  }

  @Test
  void updates_reachCoMembers_butMetadataOnlyChangesSendNothing() {
    threads.joinAll("t1", List.of("alice", "bob"));
    StatusBroadcaster.install(registry, threads);
    RecordingOutbound bob = new RecordingOutbound();
    registry.connect("bob", "1", bob);
    PresenceSession alice = registry.connect("alice", "1", new RecordingOutbound());
    bob.sent.clear();

    alice.metadata(java.util.Map.of("device", "mobile"));
    assertThat(bob.sent).isEmpty();
    registry.setStatus("alice", new ClientMessage.SetStatus(Availability.BUSY, true, StatusText.of("Call")));
    assertThat(bob.sent).containsExactly("{\"type\":\"user_status_changed\",\"user_id\":\"alice\",\"is_online\":true,"
        + "\"status\":\"busy\",\"status_text\":\"Call\",\"last_active\":\"2026-01-01T00:00:00Z\"}");
  }

  @Test
  void invisibleMembers_stillHearAboutOthers_andNobodyHearsAboutThem() {
    threads.joinAll("t1", List.of("alice", "bob"));
    StatusBroadcaster.install(registry, threads);
    RecordingOutbound bob = new RecordingOutbound();
    RecordingOutbound alice = new RecordingOutbound();
    registry.connect("bob", "1", bob, ConnectOptions.defaults().withAvailability(Availability.INVISIBLE));
    registry.connect("alice", "1", alice).close();

    assertThat(bob.sent).hasSize(2);
    assertThat(alice.sent).as("bob is invisible: no message about him").isEmpty();
  }
}
