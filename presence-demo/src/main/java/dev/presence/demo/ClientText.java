package dev.presence.demo;

/**
 * Text a client sent, as the demo shows it back or accepts it as a name. Error replies quote
 * client input only as a short {@link #excerpt(String) excerpt}, so an attacker cannot make the
 * server hold or send copies of a long string, and never with control or bidirectional-override
 * characters that could disguise the message. Stateless, hence thread-safe; not instantiable.
 */
final class ClientText {
  /** How many code points of client input an error reply quotes at most. */
  static final int EXCERPT_CODE_POINTS = 32;

  private ClientText() {}

  /**
   * Returns {@code text} in single quotes, cut to its first {@value #EXCERPT_CODE_POINTS} code
   * points, each unsafe one (see {@link #isUnsafe(int)}) replaced by U+FFFD: {@code 'abc'}, or
   * {@code 'abc...' (5000 code points)} when it was cut.
   *
   * @param text the client's text, may be null
   * @return the quoted excerpt, {@code null} (unquoted) for null
   */
  static String excerpt(String text) {
    if (text == null) {
      return "null";
    }
    String prefix = prefix(text);
    return !wasCut(text, prefix) ? "'" + prefix + "'"
        : "'" + prefix + "...' (" + text.codePointCount(0, text.length()) + " code points)";
  }

  /**
   * Returns {@code text} cut like {@link #excerpt(String)}, unquoted, with {@code ...} appended
   * when it was cut.
   *
   * @param text the text, not null
   * @return the cut text
   */
  static String cut(String text) {
    String prefix = prefix(text);
    return wasCut(text, prefix) ? prefix + "..." : prefix;
  }

  private static boolean wasCut(String text, String prefix) {
    return text.codePointCount(0, text.length()) > prefix.codePointCount(0, prefix.length());
  }

  /** The first {@value #EXCERPT_CODE_POINTS} code points, unsafe ones replaced by U+FFFD. */
  private static String prefix(String text) {
    StringBuilder out = new StringBuilder();
    int shown = 0;
    for (int i = 0; i < text.length() && shown < EXCERPT_CODE_POINTS; shown++) {
      int cp = text.codePointAt(i);
      out.appendCodePoint(isUnsafe(cp) || isLoneSurrogate(text, i) ? 0xFFFD : cp);
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  /**
   * Returns the index of the first character of {@code text} a name must not contain (a control
   * character, a bidirectional control such as U+202E, a line or paragraph separator, or a lone
   * surrogate), or -1 if there is none.
   *
   * @param text the text, not null
   * @return the UTF-16 index of the first unsafe character, or -1
   */
  static int firstUnsafe(String text) {
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (isUnsafe(cp) || isLoneSurrogate(text, i)) {
        return i;
      }
      i += Character.charCount(cp);
    }
    return -1;
  }

  /**
   * Returns whether a code point is a control character (Unicode category Cc), a line or
   * paragraph separator, or one of the bidirectional formatting characters (U+061C, U+200E,
   * U+200F, U+202A to U+202E, U+2066 to U+2069) that can reorder how text around it is shown.
   *
   * @param cp the code point
   * @return true if names must not contain it
   */
  static boolean isUnsafe(int cp) {
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> true;
      default -> cp == 0x061C || cp == 0x200E || cp == 0x200F
          || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    };
  }

  private static boolean isLoneSurrogate(String text, int i) {
    char c = text.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
    }
    return Character.isLowSurrogate(c);
  }
}
