package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PresencePolicyTest {
  private static final Visibility NO_LAST_SEEN = new Visibility(true, true, false);

  @Test
  void everyone_showsEverything_toEveryoneAndToAnonymous() {
    PresencePolicy p = PresencePolicy.everyone();
    assertThat(p.visibility("alice", "bob")).isEqualTo(Visibility.ALL);
    assertThat(p.anonymousVisibility("bob")).isEqualTo(Visibility.ALL);
  }

  @Test
  void hideLastSeen_isReciprocal() {
    Set<String> hiding = Set.of("carol");
    PresencePolicy p = PresencePolicy.hideLastSeen(hiding::contains);

    assertThat(p.visibility("alice", "bob")).isEqualTo(Visibility.ALL);
    assertThat(p.visibility("alice", "carol")).as("subject hides").isEqualTo(NO_LAST_SEEN);
    assertThat(p.visibility("carol", "alice")).as("viewer hides: sees no one's").isEqualTo(NO_LAST_SEEN);
    assertThat(p.anonymousVisibility("carol")).isEqualTo(NO_LAST_SEEN);
    assertThat(p.anonymousVisibility("bob")).isEqualTo(Visibility.ALL);
  }

  @Test
  void customPolicy_showsAnonymousViewersPresenceOnly_byDefault() {
    PresencePolicy friendsOnly = (viewer, subject) -> Visibility.ALL;
    assertThat(friendsOnly.anonymousVisibility("bob")).isEqualTo(Visibility.PRESENCE_ONLY);
  }

  @Test
  void and_allowsOnlyWhatBothAllow() {
    PresencePolicy noTexts = (viewer, subject) -> new Visibility(true, false, true);
    PresencePolicy combined = noTexts.and(PresencePolicy.hideLastSeen("bob"::equals));

    assertThat(combined.visibility("alice", "bob")).isEqualTo(Visibility.PRESENCE_ONLY);
    assertThat(combined.visibility("alice", "dave")).isEqualTo(new Visibility(true, false, true));
    assertThat(combined.anonymousVisibility("dave")).isEqualTo(Visibility.PRESENCE_ONLY);
    PresencePolicy strangers = (viewer, subject) -> Visibility.NONE;
    assertThat(PresencePolicy.everyone().and(strangers).visibility("a", "b")).isEqualTo(Visibility.NONE);
  }
}
