package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presence.test.FakeTime;
import dev.presence.testing.RecordingListener;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Availability, status text, activity and idleness, metadata, invisibility: with a fake clock. */
class RichPresenceTest {
  private static final Duration IDLE = Duration.ofMinutes(5);
  private final FakeTime time = new FakeTime();
  private final LastSeenStore lastSeen = LastSeenStore.inMemory();
  private final RecordingListener events = new RecordingListener();
  private final List<PresenceRegistry> opened = new ArrayList<>();
  private PresenceRegistry registry = registry(PresenceRegistry.builder().idleAfter(IDLE));

  private PresenceRegistry registry(PresenceRegistry.Builder b) {
    PresenceRegistry r = b.withoutHeartbeat().ticker(time).clock(time.clock()).scheduler(time)
        .eventExecutor(Runnable::run).lastSeenStore(lastSeen).build();
    r.addListener(events);
    opened.add(r);
    return r;
  }

  @AfterEach
  void close() {
    opened.forEach(PresenceRegistry::close);
  }

  private PresenceSession connect(String user, String session) {
    return registry.connect(user, session, new RecordingOutbound());
  }

  private Status statusOf(String user) {
    return registry.presenceOf(user).map(UserPresence::status).orElse(Status.OFFLINE);
  }

  // ---------------------------------------------------------------- idle / away

  @Test
  void noActivityForIdleAfter_makesTheUserAway_andActivityBringsThemBack() {
    PresenceSession s = connect("alice", "1");
    time.advance(IDLE.minusSeconds(1));
    assertThat(statusOf("alice")).isEqualTo(Status.AVAILABLE);

    time.advance(Duration.ofSeconds(1));
    assertThat(statusOf("alice")).isEqualTo(Status.AWAY);
    assertThat(registry.isOnline("alice")).as("away is still online").isTrue();

    s.activity();
    assertThat(statusOf("alice")).isEqualTo(Status.AVAILABLE);
    assertThat(events.log()).containsExactly("+alice", "alice:away", "alice:available");
  }

  @Test
  void pongsAreLiveness_notActivity() {
    PresenceSession s = connect("alice", "1");
    for (int i = 0; i < 10; i++) {
      time.advance(Duration.ofMinutes(1));
      s.touch();
    }
    assertThat(statusOf("alice")).isEqualTo(Status.AWAY);
    assertThat(registry.lastActive("alice")).contains(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Test
  void activityOnAnySession_keepsTheUserActive() {
    PresenceSession phone = connect("alice", "phone");
    connect("alice", "laptop");
    for (int i = 0; i < 4; i++) {
      time.advance(Duration.ofMinutes(4));
      phone.activity(); // the laptop stays silent all along
    }
    assertThat(statusOf("alice")).isEqualTo(Status.AVAILABLE);
    time.advance(IDLE);
    assertThat(statusOf("alice")).isEqualTo(Status.AWAY);
    assertThat(events.log()).containsExactly("+alice", "alice:away");
  }

  @Test
  void activity_justBeforeTheTimer_pushesIdlenessBack() {
    PresenceSession s = connect("alice", "1");
    time.advance(IDLE.minusSeconds(10));
    s.activity();
    time.advance(Duration.ofSeconds(10)); // the first timer fires and reschedules
    assertThat(statusOf("alice")).isEqualTo(Status.AVAILABLE);
    time.advance(IDLE.minusSeconds(10).minusMillis(1));
    assertThat(statusOf("alice")).isEqualTo(Status.AVAILABLE);
    time.advance(Duration.ofMillis(1));
    assertThat(statusOf("alice")).isEqualTo(Status.AWAY);
    assertThat(time.pendingTasks()).as("an idle user holds no timer").isZero();
  }

  @Test
  void aNewSession_isActivity() {
    connect("alice", "1");
    time.advance(IDLE);
    assertThat(statusOf("alice")).isEqualTo(Status.AWAY);
    connect("alice", "2");
    assertThat(statusOf("alice")).isEqualTo(Status.AVAILABLE);
  }

  @Test
  void busyOnOneDevice_appliesToTheUser_andIdlenessDoesNotChangeIt() {
    connect("alice", "phone");
    connect("alice", "laptop");
    assertThat(registry.setAvailability("alice", Availability.BUSY)).isTrue();
    time.advance(IDLE.multipliedBy(2));

    assertThat(statusOf("alice")).isEqualTo(Status.BUSY);
    assertThat(events.log()).containsExactly("+alice", "alice:busy");
    registry.setAvailability("alice", Availability.AVAILABLE);
    assertThat(statusOf("alice")).as("idle underneath").isEqualTo(Status.AWAY);
  }

  @Test
  void withoutIdleAfter_nobodyGoesAway() {
    registry = registry(PresenceRegistry.builder());
    connect("bob", "1");
    time.advance(Duration.ofDays(1));
    assertThat(statusOf("bob")).isEqualTo(Status.AVAILABLE);
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void lastActive_isTheLatestActivity_andNotPongs() {
    PresenceSession s = connect("alice", "1");
    time.advance(Duration.ofSeconds(30));
    s.activity();
    time.advance(Duration.ofSeconds(30));
    s.touch();
    assertThat(registry.lastActive("alice")).contains(Instant.parse("2026-01-01T00:00:30Z"));
    assertThat(registry.lastActive("nobody")).isEmpty();
  }

  // ---------------------------------------------------------------- status text

  @Test
  void statusText_withExpiry_isClearedByATimer_withAnUpdate() {
    connect("alice", "1");
    Instant end = time.now().plus(Duration.ofMinutes(3));
    registry.setStatusText("alice", StatusText.of("Lunch", end));
    assertThat(registry.presenceOf("alice").orElseThrow().statusText()).isEqualTo(StatusText.of("Lunch", end));

    time.advance(Duration.ofMinutes(3).minusMillis(1));
    assertThat(registry.presenceOf("alice").orElseThrow().statusText()).isNotNull();
    time.advance(Duration.ofMillis(1));
    assertThat(registry.presenceOf("alice").orElseThrow().statusText()).isNull();
    assertThat(events.log()).containsExactly("+alice", "alice:available 'Lunch'", "alice:available");
    assertThat(events.updates().get(1).changes()).containsExactly(PresenceUpdate.Change.STATUS_TEXT);
  }

  @Test
  void replacedText_cancelsTheOldExpiry() {
    connect("alice", "1");
    registry.setStatusText("alice", StatusText.of("Lunch", time.now().plus(Duration.ofMinutes(1))));
    registry.setStatusText("alice", StatusText.of("Working"));
    time.advance(Duration.ofMinutes(2));
    assertThat(registry.presenceOf("alice").orElseThrow().statusText()).isEqualTo(StatusText.of("Working"));
    assertThat(time.pendingTasks()).isEqualTo(1); // only the idle timer
  }

  @Test
  void textExpiringNow_isRefused_andNothingChanges() {
    connect("alice", "1");
    ClientMessage.SetStatus change = new ClientMessage.SetStatus(Availability.BUSY, true, StatusText.of("x", time.now()));
    assertThatThrownBy(() -> registry.setStatus("alice", change))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expiresAt must be in the future: 2026-01-01T00:00:00Z");
    assertThat(statusOf("alice")).isEqualTo(Status.AVAILABLE);
  }

  @Test
  void availabilityAndText_inOneChange_fireOneUpdate() {
    connect("alice", "1");
    registry.setStatus("alice", new ClientMessage.SetStatus(Availability.BUSY, true, StatusText.of("Call")));
    assertThat(events.log()).containsExactly("+alice", "alice:busy 'Call'");
    assertThat(events.updates().get(0).changes())
        .containsExactlyInAnyOrder(PresenceUpdate.Change.STATUS, PresenceUpdate.Change.STATUS_TEXT);
    registry.setStatus("alice", new ClientMessage.SetStatus(Availability.BUSY, true, StatusText.of("Call")));
    assertThat(events.updates()).as("no change, no update").hasSize(1);
  }

  // ---------------------------------------------------------------- user-level state lifetime

  @Test
  void unknownUser_keepsNothing() {
    assertThat(registry.setAvailability("ghost", Availability.BUSY)).isFalse();
    assertThat(registry.setStatusText("ghost", StatusText.of("x"))).isFalse();
    assertThat(registry.presenceOf("ghost")).isEmpty();
  }

  @Test
  void stateIsDroppedWhenTheUserGoesOffline_andKeptWithinTheGrace() {
    registry = registry(PresenceRegistry.builder().offlineGrace(Duration.ofSeconds(10)));
    PresenceSession s = connect("alice", "1");
    registry.setStatus("alice", new ClientMessage.SetStatus(Availability.BUSY, true, StatusText.of("Away")));
    s.close();
    assertThat(registry.setStatusText("alice", StatusText.of("In grace"))).isTrue();
    PresenceSession back = connect("alice", "2"); // back within the grace
    assertThat(registry.presenceOf("alice").orElseThrow().statusText().text()).isEqualTo("In grace");
    assertThat(statusOf("alice")).isEqualTo(Status.BUSY);

    back.close();
    time.advance(Duration.ofSeconds(10));
    assertThat(registry.setAvailability("alice", Availability.BUSY)).as("offline: not kept").isFalse();
    assertThat(registry.presenceOf("alice")).isEmpty();
    connect("alice", "3");
    assertThat(registry.presenceOf("alice").orElseThrow())
        .returns(Availability.AVAILABLE, UserPresence::availability)
        .returns(null, UserPresence::statusText);
  }

  @Test
  void connectOptions_applyToANewUser_notToAFurtherSession() {
    registry.connect("alice", "1", new RecordingOutbound(),
        ConnectOptions.defaults().withAvailability(Availability.BUSY).withStatusText(StatusText.of("Focus"))
            .withMetadata(Map.of("device", "mobile")));
    registry.connect("alice", "2", new RecordingOutbound(),
        ConnectOptions.defaults().withAvailability(Availability.AWAY).withMetadata(Map.of("device", "web")));

    UserPresence p = registry.presenceOf("alice").orElseThrow();
    assertThat(p.availability()).isEqualTo(Availability.BUSY);
    assertThat(p.statusText().text()).isEqualTo("Focus");
    assertThat(p.sessions()).extracting(SessionInfo::metadata)
        .containsExactlyInAnyOrder(Map.of("device", "mobile"), Map.of("device", "web"));
    assertThat(p.sessions()).extracting(SessionInfo::connectedAt).containsOnly(time.now());
    assertThat(events.log()).containsExactly("+alice");
  }

  @Test
  void expiredTextInConnectOptions_isIgnored() {
    registry.connect("alice", "1", new RecordingOutbound(),
        ConnectOptions.defaults().withStatusText(StatusText.of("Old", time.now().minusSeconds(1))));
    assertThat(registry.presenceOf("alice").orElseThrow().statusText()).isNull();
  }

  // ---------------------------------------------------------------- metadata

  @Test
  void metadata_isReplaceable_withAnUpdate_onlyWhenItChanges() {
    PresenceSession s = connect("alice", "1");
    s.metadata(Map.of("device", "mobile", "app", "2.3.1"));
    s.metadata(Map.of("app", "2.3.1", "device", "mobile"));
    assertThat(s.metadata()).isEqualTo(Map.of("device", "mobile", "app", "2.3.1"));
    assertThat(events.log()).containsExactly("+alice", "alice:meta");
    assertThat(events.updates().get(0).changes()).containsExactly(PresenceUpdate.Change.METADATA);

    assertThatThrownBy(() -> s.metadata(Map.of("device", "x".repeat(300))))
        .hasMessage("metadata value of 'device' must be at most 256 code points: 300");
    assertThat(s.metadata()).containsEntry("device", "mobile");
    s.close();
    s.metadata(Map.of("device", "gone"));
    assertThat(events.log()).containsExactly("+alice", "alice:meta", "-alice");
  }

  // ---------------------------------------------------------------- invisibility

  @Test
  void connectingInvisible_isNeverSeen_andLeavingWritesNoLastSeen() {
    PresenceSession s = registry.connect("alice", "1", new RecordingOutbound(),
        ConnectOptions.defaults().withAvailability(Availability.INVISIBLE));

    assertThat(registry.isOnline("alice")).isFalse();
    assertThat(registry.onlineUsers()).isEmpty();
    assertThat(registry.onlineUserCount()).isZero();
    assertThat(registry.onlineAmong(List.of("alice"))).isEmpty();
    assertThat(registry.sessionCount("alice")).as("raw").isEqualTo(1);
    assertThat(registry.visiblePresence("bob", "alice")).isEqualTo(VisiblePresence.offline("alice"));
    assertThat(registry.presenceOf("alice").orElseThrow())
        .returns(Status.OFFLINE, UserPresence::status).returns(Availability.INVISIBLE, UserPresence::availability);

    time.advance(IDLE.multipliedBy(2)); // idleness of an invisible user fires nothing either
    s.close();
    assertThat(events.events).isEmpty();
    assertThat(lastSeen.readAll(List.of("alice"))).isEmpty();
  }

  @Test
  void goingInvisible_isAnOfflineTransition_withLastSeen_andBackIsOnline() {
    PresenceSession s = connect("alice", "1");
    time.advance(Duration.ofSeconds(5));
    registry.setAvailability("alice", Availability.INVISIBLE);
    Instant hiddenAt = time.now();
    time.advance(Duration.ofSeconds(5));
    registry.setStatusText("alice", StatusText.of("secret"));
    s.activity();
    assertThat(registry.isOnline("alice")).isFalse();
    assertThat(lastSeen.readAll(List.of("alice"))).containsEntry("alice", hiddenAt);

    registry.setAvailability("alice", Availability.AVAILABLE);
    assertThat(registry.isOnline("alice")).isTrue();
    s.close();
    assertThat(events.log()).containsExactly("+alice", "-alice", "+alice", "-alice");
    assertThat(events.transitions().get(1).at()).isEqualTo(hiddenAt);
  }

  @Test
  void invisibleUser_seesThemselves() {
    connect("alice", "1");
    registry.setStatus("alice", new ClientMessage.SetStatus(Availability.INVISIBLE, true, StatusText.of("Shh")));
    VisiblePresence self = registry.visiblePresence("alice", "alice");
    assertThat(self).isEqualTo(new VisiblePresence("alice", true, Status.AVAILABLE, StatusText.of("Shh"),
        time.now(), Availability.INVISIBLE));
  }

  // ---------------------------------------------------------------- policy, lookups, erasure

  @Test
  void policy_isAppliedToLookups_andAThrowingPolicyHides() {
    registry = registry(PresencePolicyFixtures.builder((viewer, subject) -> {
      if (viewer.equals("mallory")) {
        throw new IllegalStateException("boom");
      }
      return viewer.equals("eve") ? Visibility.NONE : new Visibility(true, false, false);
    }));
    connect("alice", "1");
    registry.setStatusText("alice", StatusText.of("Hi"));

    assertThat(registry.visiblePresence("bob", "alice"))
        .isEqualTo(new VisiblePresence("alice", true, Status.AVAILABLE, null, null, null));
    assertThat(registry.visiblePresence("eve", "alice")).isEqualTo(VisiblePresence.offline("alice"));
    assertThat(registry.visiblePresence("mallory", "alice")).isEqualTo(VisiblePresence.offline("alice"));
    assertThat(registry.visibility("mallory", "alice")).isEqualTo(Visibility.NONE);
    assertThat(registry.visibility("alice", "alice")).isEqualTo(Visibility.ALL);
    assertThat(registry.visibility(null, "alice")).isEqualTo(Visibility.PRESENCE_ONLY);
  }

  @Test
  void forget_dropsTextLastActiveAndLastSeen() {
    PresenceSession s = connect("alice", "1");
    registry.setStatusText("alice", StatusText.of("Hi"));
    connect("bob", "1").close();
    registry.forget(List.of("alice", "bob"));

    assertThat(registry.presenceOf("alice").orElseThrow().statusText()).isNull();
    assertThat(registry.lastActive("alice")).isEmpty();
    assertThat(lastSeen.readAll(List.of("bob"))).isEmpty();
    s.activity();
    assertThat(registry.lastActive("alice")).contains(time.now());
    assertThat(events.log()).containsExactly("+alice", "alice:available 'Hi'", "+bob", "-bob", "alice:available");
  }

  /** Registry builders with a policy. */
  static final class PresencePolicyFixtures {
    static PresenceRegistry.Builder builder(PresencePolicy policy) {
      return PresenceRegistry.builder().policy(policy);
    }
  }

  @Test
  void builder_validatesTheNewSettings() {
    assertThatThrownBy(() -> PresenceRegistry.builder().idleAfter(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("idleAfter must be positive: PT0S");
    assertThatThrownBy(() -> PresenceRegistry.builder().policy(null))
        .isInstanceOf(NullPointerException.class).hasMessage("policy");
    assertThat(Set.of(Status.values())).hasSize(4);
  }
}
