package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PresenceModelTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

  @Test
  void availability_wireNamesRoundTrip() {
    for (Availability a : Availability.values()) {
      assertThat(Availability.parse(a.wireName())).isEqualTo(a);
    }
    assertThat(Availability.INVISIBLE.wireName()).isEqualTo("invisible");
  }

  @ParameterizedTest
  @ValueSource(strings = {"BUSY", "Busy", "offline", "", " busy"})
  void availability_rejectsAnythingButTheFourNames(String name) {
    assertThatThrownBy(() -> Availability.parse(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("availability must be one of available, busy, away, invisible: '" + name + "'");
  }

  @Test
  void availability_errorCutsALongValue() {
    assertThatThrownBy(() -> Availability.parse("x".repeat(10_000)))
        .hasMessage("availability must be one of available, busy, away, invisible: '" + "x".repeat(40) + "\u2026'");
  }

  @ParameterizedTest(name = "connected={0} {1} idle={2} -> {3}")
  @CsvSource({
      "false, AVAILABLE, false, OFFLINE",
      "false, BUSY, false, OFFLINE",
      "true, INVISIBLE, false, OFFLINE",
      "true, INVISIBLE, true, OFFLINE",
      "true, BUSY, true, BUSY",
      "true, AWAY, false, AWAY",
      "true, AVAILABLE, true, AWAY",
      "true, AVAILABLE, false, AVAILABLE"})
  void status_isComputedFromSessionsChoiceAndIdleness(boolean connected, Availability a, boolean idle, Status expected) {
    assertThat(Status.of(connected, a, idle)).isEqualTo(expected);
    assertThat(Status.parse(expected.wireName())).isEqualTo(expected);
    assertThat(expected.isOnline()).isEqualTo(expected != Status.OFFLINE);
  }

  @Test
  void statusText_isStripped_andCountedInCodePoints() {
    assertThat(StatusText.of("  In a meeting \n").text()).isEqualTo("In a meeting");
    String emoji = "\uD83C\uDF34".repeat(100); // 100 code points, 200 chars
    assertThat(StatusText.of(emoji).text()).hasSize(200);
    assertThatThrownBy(() -> StatusText.of("\uD83C\uDF34".repeat(101)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("statusText must be at most 100 code points: 101");
    assertThatThrownBy(() -> StatusText.of("a".repeat(131)))
        .hasMessage("statusText must be at most 100 code points: 131");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\u0000b", "a\tb", "a\nb", "a\u007Fb", "a\u0085b", "a\u202Etxt.exe", "a\u202Ab",
      "a\u2066b", "a\u2069b", "a\uFEFFb", "a\u2028b", "a\u2029b", "a\uD800b"})
  void statusText_rejectsControlBidiAndBrokenCharacters(String text) {
    assertThatThrownBy(() -> StatusText.of(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("statusText must not contain control or bidi-override characters: U+")
        .hasMessageEndingWith(" at index " + (text.indexOf('a') + 1));
  }

  @Test
  void statusText_allowsEmojiSequencesAndRightToLeftScripts() {
    assertThat(StatusText.of("\uD83D\uDC69\u200D\uD83D\uDCBB שלום مرحبا").text()).isNotBlank();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "\u3000"})
  void statusText_rejectsBlank(String text) {
    assertThatThrownBy(() -> StatusText.of(text)).hasMessage("statusText must not be blank");
  }

  @Test
  void statusText_expiry() {
    StatusText t = StatusText.of("Lunch", T0);
    assertThat(t.isExpiredAt(T0.minusMillis(1))).isFalse();
    assertThat(t.isExpiredAt(T0)).isTrue();
    assertThat(StatusText.of("Lunch").isExpiredAt(Instant.MAX)).isFalse();
    assertThatThrownBy(() -> StatusText.of(null)).isInstanceOf(NullPointerException.class).hasMessage("statusText");
  }

  @Test
  void metadata_validCopyKeepsOrder_andIsImmutable() {
    Map<String, String> in = new LinkedHashMap<>();
    in.put("device", " mobile ");
    in.put("app", "2.3.1");
    in.put("os.name-x_1", "");
    Map<String, String> out = SessionMetadata.validate(in);

    assertThat(out).containsExactly(Map.entry("device", "mobile"), Map.entry("app", "2.3.1"), Map.entry("os.name-x_1", ""));
    in.put("more", "x");
    assertThat(out).hasSize(3);
    assertThatThrownBy(() -> out.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void metadata_bounds_nameTheKey() {
    Map<String, String> tooMany = new HashMap<>();
    for (int i = 0; i < 17; i++) {
      tooMany.put("k" + i, "v");
    }
    assertThatThrownBy(() -> SessionMetadata.validate(tooMany))
        .hasMessage("metadata must have at most 16 entries: 17");
    assertThatThrownBy(() -> SessionMetadata.validate(Map.of("Device", "x")))
        .hasMessage("metadata key must be 1 to 32 characters of [a-z0-9_.-]: 'Device'");
    assertThatThrownBy(() -> SessionMetadata.validate(Map.of("", "x")))
        .hasMessage("metadata key must be 1 to 32 characters of [a-z0-9_.-]: ''");
    assertThatThrownBy(() -> SessionMetadata.validate(Map.of("k".repeat(33), "x")))
        .hasMessageStartingWith("metadata key must be 1 to 32 characters");
    assertThatThrownBy(() -> SessionMetadata.validate(Map.of("device", "x".repeat(257))))
        .hasMessage("metadata value of 'device' must be at most 256 code points: 257");
    assertThatThrownBy(() -> SessionMetadata.validate(Map.of("device", "a\u202Eb")))
        .hasMessage("metadata value of 'device' must not contain control or bidi-override characters: U+202E at index 1");
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("device", null);
    assertThatThrownBy(() -> SessionMetadata.validate(nullValue))
        .hasMessage("metadata value of 'device' must not be null");
    Map<String, String> nullKey = new HashMap<>();
    nullKey.put(null, "x");
    assertThatThrownBy(() -> SessionMetadata.validate(nullKey)).hasMessage("metadata key must not be null");
    assertThat(SessionMetadata.validate(Map.of("k".repeat(32), "x".repeat(256)))).hasSize(1);
  }

  @Test
  void sessionInfo_andUserPresence_areSnapshots() {
    Map<String, String> meta = new HashMap<>(Map.of("device", "web"));
    SessionInfo s = new SessionInfo("s1", meta, T0);
    meta.put("device", "changed");
    List<SessionInfo> sessions = new ArrayList<>(List.of(s));
    UserPresence p = new UserPresence("alice", Status.BUSY, Availability.BUSY, null, T0, sessions);
    sessions.clear();

    assertThat(s.metadata()).containsEntry("device", "web");
    assertThat(p.sessions()).containsExactly(s);
    assertThatThrownBy(() -> new SessionInfo("s1", Map.of("BAD", "x"), T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void visibility_withoutPresence_showsNothingElse() {
    assertThat(new Visibility(false, true, true)).isEqualTo(Visibility.NONE);
    assertThat(new Visibility(true, false, true).and(new Visibility(true, true, false)))
        .isEqualTo(Visibility.PRESENCE_ONLY);
    assertThat(Visibility.ALL.and(Visibility.NONE)).isEqualTo(Visibility.NONE);
  }

  @Test
  void visiblePresence_onlineAgreesWithStatus() {
    assertThat(VisiblePresence.offline("bob"))
        .isEqualTo(new VisiblePresence("bob", false, Status.OFFLINE, null, null, null));
    assertThatThrownBy(() -> new VisiblePresence("bob", true, Status.OFFLINE, null, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VisiblePresence("bob", false, Status.BUSY, null, null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void presenceUpdate_isNeverOffline_andChangesSomething() {
    Set<PresenceUpdate.Change> status = Set.of(PresenceUpdate.Change.STATUS);
    assertThatThrownBy(() -> new PresenceUpdate("bob", Status.OFFLINE, null, null, T0, status))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PresenceUpdate("bob", Status.AWAY, null, null, T0, Set.of()))
        .isInstanceOf(IllegalArgumentException.class);
    PresenceUpdate away = new PresenceUpdate("bob", Status.AWAY, null, null, T0, status);
    assertThat(away.isVisibleChange()).isTrue();
    assertThat(new PresenceUpdate("bob", Status.AWAY, null, null, T0, Set.of(PresenceUpdate.Change.METADATA))
        .isVisibleChange()).isFalse();
  }

  @Test
  void connectOptions_validateMetadata_andDefaultToNothing() {
    assertThat(ConnectOptions.defaults()).isEqualTo(new ConnectOptions(Map.of(), null, null));
    ConnectOptions o = ConnectOptions.defaults().withMetadata(Map.of("device", " web "))
        .withAvailability(Availability.INVISIBLE).withStatusText(StatusText.of("x"));
    assertThat(o.metadata()).containsEntry("device", "web");
    assertThat(o.availability()).isEqualTo(Availability.INVISIBLE);
    assertThatThrownBy(() -> ConnectOptions.defaults().withMetadata(Map.of("Bad", "x")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
