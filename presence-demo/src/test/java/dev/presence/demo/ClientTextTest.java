package dev.presence.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientTextTest {

  @Test
  void shortText_isQuotedWhole() {
    assertThat(ClientText.excerpt("shout")).isEqualTo("'shout'");
    assertThat(ClientText.excerpt(null)).isEqualTo("null");
    assertThat(ClientText.excerpt("x".repeat(32))).isEqualTo("'" + "x".repeat(32) + "'");
  }

  @Test
  void longText_isCutTo32CodePoints_withItsLength() {
    assertThat(ClientText.excerpt("x".repeat(33)))
        .isEqualTo("'" + "x".repeat(32) + "...' (33 code points)");
    String emoji = "\uD83D\uDE00".repeat(40);
    assertThat(ClientText.excerpt(emoji))
        .isEqualTo("'" + "\uD83D\uDE00".repeat(32) + "...' (40 code points)");
    assertThat(ClientText.cut("y".repeat(1000))).isEqualTo("y".repeat(32) + "...");
  }

  @Test
  void unsafeCharacters_areReplaced_inExcerpts() {
    assertThat(ClientText.excerpt("a\u202Eb\u0000c\nd\uD800e")).isEqualTo("'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe'");
  }

  @Test
  void firstUnsafe_findsControlBidiSeparatorsAndLoneSurrogates_butNotEmojiOrJoiners() {
    assertThat(ClientText.firstUnsafe("Lunch \uD83D\uDE00 caf\u00E9")).isEqualTo(-1);
    assertThat(ClientText.firstUnsafe("family \uD83D\uDC68\u200D\uD83D\uDC69")).as("ZWJ").isEqualTo(-1);
    assertThat(ClientText.firstUnsafe("\u05E9\u05DC\u05D5\u05DD")).as("Hebrew").isEqualTo(-1);
    for (int cp : new int[] {0x00, 0x07, 0x0A, 0x1B, 0x7F, 0x85, 0x061C, 0x200E, 0x200F, 0x202A,
        0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x2028, 0x2029}) {
      assertThat(ClientText.firstUnsafe("ab" + new String(Character.toChars(cp))))
          .as("U+%04X", cp).isEqualTo(2);
    }
    assertThat(ClientText.firstUnsafe("a\uDC00")).isEqualTo(1);
    assertThat(ClientText.firstUnsafe("a\uD800")).isEqualTo(1);
  }
}
