package dev.presence;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A custom status text ("In a meeting") with an optional expiry. Valid by construction: the text
 * is stripped of surrounding white space and must then be 1 to {@link #MAX_CODE_POINTS} code
 * points long, without control characters (Unicode Cc, including tab and newline), line or
 * paragraph separators, bidi embeddings/overrides/isolates (U+202A–U+202E, U+2066–U+2069), U+FEFF
 * or unpaired surrogates. Length is counted in code points, so an emoji counts once.
 *
 * <p>An expired text is treated as absent by the registry (checked against its clock on every
 * read, and cleared by a timer with an update event). Immutable, hence thread-safe.
 *
 * @param text the stripped text
 * @param expiresAt when the text stops applying; null for never
 */
public record StatusText(String text, @Nullable Instant expiresAt) {
  /** The most code points a status text may have. */
  public static final int MAX_CODE_POINTS = 100;

  /**
   * Validates and strips the text.
   *
   * @param text the text
   * @param expiresAt when it stops applying; null for never
   * @throws NullPointerException if {@code text} is null
   * @throws IllegalArgumentException if the text is blank, too long (e.g.
   *     {@code statusText must be at most 100 code points: 131}) or contains a forbidden character
   */
  public StatusText {
    text = TextRules.check("statusText", text, MAX_CODE_POINTS, false);
  }

  /**
   * Returns a text that never expires.
   *
   * @param text the text, validated as described in the class comment
   * @return the status text
   * @throws IllegalArgumentException if the text is invalid
   */
  public static StatusText of(String text) {
    return new StatusText(text, null);
  }

  /**
   * Returns a text with an expiry.
   *
   * @param text the text, validated as described in the class comment
   * @param expiresAt when it stops applying; null for never
   * @return the status text
   * @throws IllegalArgumentException if the text is invalid
   */
  public static StatusText of(String text, @Nullable Instant expiresAt) {
    return new StatusText(text, expiresAt);
  }

  /**
   * Returns whether the text no longer applies at {@code now}.
   *
   * @param now the current wall time
   * @return true if it has an expiry that is at or before {@code now}
   */
  public boolean isExpiredAt(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }
}
