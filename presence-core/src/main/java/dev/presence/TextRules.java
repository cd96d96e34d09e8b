package dev.presence;

import java.util.Objects;

/**
 * The shared rules for short, user-typed texts shown to other users (status text, metadata
 * values): counted in code points, no control characters, no bidi overrides or isolates, no
 * byte-order mark, no line or paragraph separators, no unpaired surrogates. Stateless.
 */
final class TextRules {
  /** How much of a rejected value an error message quotes: never echo unbounded client input. */
  static final int QUOTE_LIMIT = 40;

  private TextRules() {}

  /**
   * Checks a text and returns it stripped.
   *
   * @param name the setting or field named in error messages
   * @param text the text
   * @param maxCodePoints the most code points allowed after stripping
   * @param allowEmpty whether an empty (or all-blank) text is valid
   */
  static String check(String name, String text, int maxCodePoints, boolean allowEmpty) {
    Objects.requireNonNull(text, name);
    String s = text.strip();
    if (s.isEmpty() && !allowEmpty) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    int bad = forbiddenIndex(s);
    if (bad >= 0) {
      throw new IllegalArgumentException(name + " must not contain control or bidi-override characters: "
          + describe(s.codePointAt(bad)) + " at index " + bad);
    }
    int n = s.codePointCount(0, s.length());
    if (n > maxCodePoints) {
      throw new IllegalArgumentException(name + " must be at most " + maxCodePoints + " code points: " + n);
    }
    return s;
  }

  /** Index (in chars) of the first forbidden code point, or -1. */
  static int forbiddenIndex(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (forbidden(cp)) {
        return i;
      }
      i += Character.charCount(cp);
    }
    return -1;
  }

  static boolean forbidden(int cp) {
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF) {
      return true; // bidi embeddings, overrides and isolates; BOM / zero-width no-break space
    }
    int type = Character.getType(cp);
    return type == Character.CONTROL || type == Character.SURROGATE // an unpaired surrogate
        || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
  }

  static String describe(int cp) {
    return String.format("U+%04X", cp);
  }

  /** Quotes a client-supplied value for an error message, cut to {@link #QUOTE_LIMIT} code points and made printable. */
  static String quote(String value) {
    return value == null ? "null" : "'" + printable(value, QUOTE_LIMIT) + "'";
  }

  /** Cuts {@code value} to {@code max} code points (marking the cut with an ellipsis) and spells out forbidden characters. */
  static String printable(String value, int max) {
    StringBuilder b = new StringBuilder(Math.min(value.length(), max + 8));
    int n = 0;
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      i += Character.charCount(cp);
      if (n++ == max) {
        b.append('\u2026');
        break;
      }
      if (forbidden(cp)) {
        b.append(describe(cp));
      } else {
        b.appendCodePoint(cp);
      }
    }
    return b.toString();
  }
}
