package dev.presence.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The peers answer what the benchmarks assume they answer, including where chm is wrong. */
class PeersTest {
  private static final String[] USERS = {"u1", "u1", "u2"};
  private static final String[] SESSIONS = {"u1-s1", "u1-s2", "u2-s1"};

  @ParameterizedTest
  @ValueSource(strings = {"chm", "spring", "spring_events", "presence"})
  void connectThenDisconnect_userGoesOnlineThenOffline(String impl) {
    try (Peer peer = Peer.create(impl)) {
      peer.prepare(USERS, SESSIONS);
      assertThat(peer.isOnline("u2")).isFalse();
      peer.connect(2);
      assertThat(peer.isOnline("u2")).isTrue();
      assertThat(peer.isOnline("u1")).isFalse();
      peer.disconnect(2);
      assertThat(peer.isOnline("u2")).isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"spring", "spring_events", "presence"})
  void secondTabClosing_keepsUserOnline(String impl) {
    try (Peer peer = Peer.create(impl)) {
      peer.prepare(USERS, SESSIONS);
      peer.connect(0);
      peer.connect(1);
      peer.disconnect(1);
      assertThat(peer.isOnline("u1")).isTrue();
      peer.disconnect(0);
      assertThat(peer.isOnline("u1")).isFalse();
    }
  }

  @Test
  void chm_secondTabClosing_losesTheUserWhoseFirstTabIsOpen() {
    try (Peer peer = Peer.create("chm")) {
      peer.prepare(USERS, SESSIONS);
      peer.connect(0);
      peer.connect(1);
      peer.disconnect(1);
      assertThat(peer.isOnline("u1")).as("the naive map is wrong for multi-tab users").isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"chm", "spring", "spring_events", "presence"})
  void populate_makesUserOnline(String impl) {
    try (Peer peer = Peer.create(impl)) {
      peer.populate("u9", "u9-s1");
      assertThat(peer.isOnline("u9")).isTrue();
      assertThat(peer.isOnline("u8")).isFalse();
    }
  }

  @Test
  void unknownPeer_isRejectedByName() {
    assertThatThrownBy(() -> Peer.create("redis"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("impl must be chm, spring, spring_events or presence: redis");
  }

  @Test
  void ids_areUniqueAndAbsentIdsAreNeverUsers() {
    String[] users = Ids.users(10_000);
    String[] absent = Ids.absentUsers(10_000);
    java.util.Set<String> all = new java.util.HashSet<>(java.util.List.of(users));
    assertThat(all).hasSize(10_000);
    assertThat(users[0]).hasSize(24).matches("[0-9a-f]{24}");
    for (String a : absent) {
      assertThat(all).doesNotContain(a);
    }
  }
}
