package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The two-way membership index: what leaving and removing keep, and what they free. */
class ThreadMembershipTest {
  private final ThreadMembership threads = new ThreadMembership();

  @Test
  void oneOfTwoMembersLeaving_keepsTheThreadWithTheOther() {
    threads.joinAll("t1", List.of("alice", "bob"));

    threads.leave("t1", "alice");

    assertThat(threads.threadCount()).isEqualTo(1);
    assertThat(threads.membersOf("t1")).containsExactly("bob");
    assertThat(threads.threadsOf("bob")).containsExactly("t1");
    assertThat(threads.audienceOf("bob")).isEmpty();
  }

  @Test
  void lastMemberLeaving_removesTheThreadAndFreesBothIndexes() {
    threads.join("t1", "alice");

    threads.leave("t1", "alice");

    assertThat(threads.threadCount()).isZero();
    assertThat(threads.membersView("t1")).isNull();
    assertThat(threads.threadsView("alice")).isNull();
    assertThat(threads).hasToString("ThreadMembership(0 threads, 0 users)");
  }

  @Test
  void leavingOneOfTwoThreads_keepsTheUserInTheOther() {
    threads.joinAll("t1", List.of("alice", "bob"));
    threads.joinAll("t2", List.of("alice", "carol"));

    threads.leave("t1", "alice");

    assertThat(threads.threadsOf("alice")).containsExactly("t2");
    assertThat(threads.threadsView("alice")).containsExactly("t2");
    assertThat(threads.audienceOf("alice")).containsExactly("carol");
    assertThat(threads.audienceOf("bob")).isEmpty();
  }

  @Test
  void leavingAThreadOneIsNotIn_changesNothing() {
    threads.join("t1", "alice");
    threads.join("t2", "bob");

    threads.leave("t1", "bob");
    threads.leave("unknown", "alice");
    threads.leave("t1", "nobody");

    assertThat(threads.membersOf("t1")).containsExactly("alice");
    assertThat(threads.threadsOf("bob")).containsExactly("t2");
    assertThat(threads.threadsOf("alice")).containsExactly("t1");
    assertThat(threads.threadCount()).isEqualTo(2);
    assertThat(threads).hasToString("ThreadMembership(2 threads, 2 users)");
  }

  @Test
  void removingAThread_keepsItsMembersOtherThreads_andFreesUsersThatHadOnlyIt() {
    threads.joinAll("t1", List.of("alice", "bob"));
    threads.join("t2", "alice");

    threads.removeThread("t1");

    assertThat(threads.threadCount()).isEqualTo(1);
    assertThat(threads.membersView("t1")).isNull();
    assertThat(threads.threadsOf("alice")).containsExactly("t2");
    assertThat(threads.threadsView("bob")).isNull();
    assertThat(threads).hasToString("ThreadMembership(1 threads, 1 users)");
  }

  @Test
  void removingAnUnknownThread_changesNothing() {
    threads.join("t1", "alice");

    threads.removeThread("unknown");

    assertThat(threads.membersOf("t1")).containsExactly("alice");
    assertThat(threads.threadsOf("alice")).containsExactly("t1");
  }

  @Test
  void removingAThreadTwice_isHarmless_andARejoinStartsFresh() {
    threads.joinAll("t1", List.of("alice", "bob"));
    threads.removeThread("t1");
    threads.removeThread("t1");

    threads.join("t1", "carol");

    assertThat(threads.membersOf("t1")).containsExactly("carol");
    assertThat(threads.threadsOf("alice")).isEmpty();
  }

  @Test
  void join_rejectsNullAndBlankIdsByName_andAddsNothing() {
    assertThatThrownBy(() -> threads.join(null, "alice"))
        .isInstanceOf(NullPointerException.class).hasMessage("threadId");
    assertThatThrownBy(() -> threads.join("t1", " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("userId must not be blank: ' '");
    assertThatThrownBy(() -> threads.joinAll("t1", null))
        .isInstanceOf(NullPointerException.class).hasMessage("userIds");
    assertThatThrownBy(() -> threads.joinAll("", List.of("alice")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("threadId must not be blank: ''");

    assertThat(threads.threadCount()).isZero();
    assertThat(threads.threadsOf("alice")).isEmpty();
  }

  @Test
  void lookupsOfNullOrUnknownIds_returnEmptySnapshots() {
    threads.join("t1", "alice");

    assertThat(threads.membersOf(null)).isEmpty();
    assertThat(threads.threadsOf(null)).isEmpty();
    assertThat(threads.audienceOf(null)).isEmpty();
    assertThat(threads.audienceOf("nobody")).isEmpty();
    threads.membersOf("t1").add("mallory");
    assertThat(threads.membersOf("t1")).containsExactly("alice");
  }
}
