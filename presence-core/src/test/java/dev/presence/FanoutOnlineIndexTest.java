package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presence.test.FakeTime;
import dev.presence.test.RecordingOutbound;
import dev.presence.testing.PresenceView;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With a batch window over a {@link ThreadMembership}, a flush walks each changed thread's
 * connected members (an index kept on transitions, states and membership changes) instead of all
 * of them: whoever is connected must still hear, whatever happened to their threads or their
 * visibility.
 */
class FanoutOnlineIndexTest {
  private static final Duration WINDOW = Duration.ofSeconds(1);
  private final FanoutFixture fixture = new FanoutFixture(b -> b.offlineGrace(Duration.ofSeconds(5)));
  private final FakeTime time = fixture.time;
  private final PresenceRegistry registry = fixture.registry;
  private final ThreadMembership threads = fixture.threads;

  @AfterEach
  void close() throws Exception {
    fixture.close();
  }

  private PresenceFanout batched() {
    return fixture.closeAfter(fixture.fanout(WINDOW).build());
  }

  private RecordingOutbound connect(PresenceFanout f, String user, String session, ConnectOptions options) {
    RecordingOutbound out = new RecordingOutbound();
    f.sendState(registry.connect(user, session, out, options), out::send);
    return out;
  }

  private RecordingOutbound connect(PresenceFanout f, String user) {
    return connect(f, user, "s1", ConnectOptions.defaults());
  }

  @Test
  void aUserWhoJoinsAThreadWhileOnline_hearsItsNextChanges() {
    threads.join("t1", "carol");
    PresenceFanout f = batched();
    RecordingOutbound alice = connect(f, "alice"); // in no thread yet
    time.advance(WINDOW);
    threads.join("t1", "alice");
    registry.connect("carol", "s1", new RecordingOutbound());
    time.advance(WINDOW);

    assertThat(new PresenceView().applyAll(alice.sent).onlineUsers()).containsExactly("carol");
  }

  @Test
  void aUserWhoLeftAThread_hearsNoMoreOfIt() {
    threads.joinAll("t1", List.of("alice", "carol"));
    PresenceFanout f = batched();
    RecordingOutbound alice = connect(f, "alice");
    time.advance(WINDOW);
    threads.leave("t1", "alice");
    registry.connect("carol", "s1", new RecordingOutbound());
    time.advance(WINDOW);

    assertThat(alice.sent).hasSize(1); // the state only
  }

  @Test
  void aUserConnectedInvisibly_stillHearsTheirThreads() {
    threads.joinAll("t1", List.of("alice", "carol"));
    PresenceFanout f = batched();
    RecordingOutbound alice = connect(f, "alice", "s1", ConnectOptions.defaults().withAvailability(Availability.INVISIBLE));
    time.advance(WINDOW);
    registry.connect("carol", "s1", new RecordingOutbound());
    time.advance(WINDOW);

    assertThat(new PresenceView().applyAll(alice.sent).onlineUsers()).containsExactly("carol");
  }

  @Test
  void aUserWhoGoesInvisible_stillHearsTheirThreads() {
    threads.joinAll("t1", List.of("alice", "bob", "carol"));
    PresenceFanout f = batched();
    RecordingOutbound alice = connect(f, "alice");
    time.advance(WINDOW);
    registry.setAvailability("alice", Availability.INVISIBLE); // offline to others, still connected
    registry.connect("carol", "s1", new RecordingOutbound());
    time.advance(WINDOW);
    assertThat(new PresenceView().applyAll(alice.sent).onlineUsers()).containsExactly("carol");

    registry.connect("bob", "s1", new RecordingOutbound());
    time.advance(WINDOW);
    assertThat(new PresenceView().applyAll(alice.sent).onlineUsers()).containsExactly("bob", "carol");
  }

  @Test
  void aUserWithinTheOfflineGrace_isKept_andHearsAfterReconnecting() {
    threads.joinAll("t1", List.of("alice", "bob", "carol"));
    batched();
    PresenceSession first = registry.connect("alice", "s1", new RecordingOutbound());
    time.advance(WINDOW);
    first.close(); // within the grace: still online, no session
    registry.connect("bob", "s1", new RecordingOutbound());
    time.advance(WINDOW); // the flush meets alice without a session
    RecordingOutbound again = new RecordingOutbound();
    registry.connect("alice", "s2", again); // back within the grace: no event, no state asked
    registry.connect("carol", "s1", new RecordingOutbound());
    time.advance(WINDOW);

    assertThat(new PresenceView().applyAll(again.sent).map()).containsEntry("carol", true);
  }
}
