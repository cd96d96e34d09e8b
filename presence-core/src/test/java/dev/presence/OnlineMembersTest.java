package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The online-members index on one thread: what each thread's set holds after each kind of change. */
class OnlineMembersTest {
  private final ThreadMembership threads = new ThreadMembership();
  private final OnlineMembers index = threads.newOnlineIndex();

  @Test
  void aConnectedUser_isInEachOfTheirThreads_andLeavesThemAllWhenGone() {
    threads.join("t1", "alice");
    threads.join("t2", "alice");
    threads.join("t1", "bob");
    index.add("alice");
    index.add("bob");
    assertThat(index.of("t1")).containsExactlyInAnyOrder("alice", "bob");
    assertThat(index.of("t2")).containsExactly("alice");

    index.removeIf("alice", u -> true);

    assertThat(index.of("t1")).as("bob is still connected").containsExactly("bob");
    assertThat(index.of("t2")).isEmpty();
  }

  @Test
  void removeIf_keepsAUserWhoseTestFails() {
    threads.join("t1", "alice");
    index.add("alice");

    index.removeIf("alice", u -> false);

    assertThat(index.of("t1")).containsExactly("alice");
  }

  @Test
  void removeIf_ofAUserNotConnected_neitherTestsNorTouchesAnything() {
    threads.join("t1", "alice");
    threads.join("t1", "bob");
    index.add("bob");
    AtomicBoolean tested = new AtomicBoolean();

    index.removeIf("alice", u -> {
      tested.set(true);
      return true;
    });

    assertThat(tested).isFalse();
    assertThat(index.of("t1")).containsExactly("bob");
  }

  @Test
  void joinsLeavesAndRemovedThreads_keepTheSetsCurrent() {
    index.add("alice");
    threads.join("t1", "alice"); // joined after connecting
    threads.join("t1", "bob"); // not connected
    assertThat(index.of("t1")).containsExactly("alice");

    index.add("bob");
    threads.leave("t1", "alice");
    assertThat(index.of("t1")).containsExactly("bob");
    threads.leave("t1", "bob");
    assertThat(index.of("t1")).isEmpty();

    threads.join("t2", "alice");
    threads.removeThread("t2");
    assertThat(index.of("t2")).isEmpty();
  }

  @Test
  void anIndexNoLongerKept_hearsOfNoJoin() {
    index.add("alice");
    threads.removeOnlineIndex(index);

    threads.join("t1", "alice");

    assertThat(index.of("t1")).isEmpty();
  }
}
