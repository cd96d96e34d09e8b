package dev.presence;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The bounds of per-session metadata ({@code device: "mobile"}, {@code app: "2.3.1"}) and their
 * check. A session's metadata is at most {@link #MAX_ENTRIES} entries; each key is 1 to
 * {@link #MAX_KEY_LENGTH} characters of {@code [a-z0-9_.-]}; each value is a string of at most
 * {@link #MAX_VALUE_CODE_POINTS} code points (stripped; may be empty) under the same character
 * rules as {@link StatusText}. One session's metadata therefore holds at most about 17 KB.
 *
 * <p>Stateless, hence thread-safe.
 */
public final class SessionMetadata {
  /** The most entries one session's metadata may have. */
  public static final int MAX_ENTRIES = 16;
  /** The longest key, in characters. */
  public static final int MAX_KEY_LENGTH = 32;
  /** The longest value, in code points. */
  public static final int MAX_VALUE_CODE_POINTS = 256;

  private SessionMetadata() {}

  /**
   * Checks metadata and returns an immutable copy with stripped values, in the iteration order
   * of {@code metadata}.
   *
   * @param metadata the metadata
   * @return an immutable snapshot
   * @throws NullPointerException if {@code metadata} is null
   * @throws IllegalArgumentException if a bound is exceeded, a key or value is null or invalid;
   *     the message names the key, e.g. {@code metadata value of 'device' must be at most 256
   *     code points: 300}
   */
  public static Map<String, String> validate(Map<String, String> metadata) {
    Objects.requireNonNull(metadata, "metadata");
    if (metadata.isEmpty()) {
      return Map.of();
    }
    if (metadata.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("metadata must have at most " + MAX_ENTRIES + " entries: "
          + metadata.size());
    }
    Map<String, String> out = new LinkedHashMap<>(metadata.size() * 2);
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      String key = checkKey(e.getKey());
      String value = e.getValue();
      if (value == null) {
        throw new IllegalArgumentException("metadata value of '" + key + "' must not be null");
      }
      out.put(key, TextRules.check("metadata value of '" + key + "'", value, MAX_VALUE_CODE_POINTS, true));
    }
    return Collections.unmodifiableMap(out);
  }

  private static String checkKey(String key) {
    if (key == null) {
      throw new IllegalArgumentException("metadata key must not be null");
    }
    boolean ok = !key.isEmpty() && key.length() <= MAX_KEY_LENGTH;
    for (int i = 0; ok && i < key.length(); i++) {
      char c = key.charAt(i);
      ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    }
    if (!ok) {
      throw new IllegalArgumentException("metadata key must be 1 to " + MAX_KEY_LENGTH
          + " characters of [a-z0-9_.-]: " + TextRules.quote(key));
    }
    return key;
  }
}
