package dev.presence.websocket;

import dev.presence.SessionMetadata;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** Key checks of {@link HandshakeOptions} and the lenient copy of client values. Stateless. */
final class MetadataKeys {
  private static final Pattern KEY = Pattern.compile("[a-z0-9_.-]{1," + SessionMetadata.MAX_KEY_LENGTH + "}");

  private MetadataKeys() {}

  static List<String> check(List<String> keys) {
    if (keys.isEmpty() || keys.size() > SessionMetadata.MAX_ENTRIES) {
      throw new IllegalArgumentException("metadata keys must be 1 to " + SessionMetadata.MAX_ENTRIES
          + " names: " + keys.size());
    }
    for (String key : keys) {
      Objects.requireNonNull(key, "key");
      if (!KEY.matcher(key).matches()) {
        throw new IllegalArgumentException("metadata key must be 1 to " + SessionMetadata.MAX_KEY_LENGTH
            + " characters of [a-z0-9_.-]: '" + key + "'");
      }
    }
    if (Set.copyOf(keys).size() != keys.size()) {
      throw new IllegalArgumentException("metadata keys must be distinct: " + keys);
    }
    return List.copyOf(keys);
  }

  static void putIfValid(Map<String, String> metadata, String key, List<String> values) {
    if (values == null || values.size() != 1 || values.get(0) == null) {
      return;
    }
    String value = values.get(0);
    // cheap bound before the code point check: a value this long can never be valid
    if (value.length() > 2 * SessionMetadata.MAX_VALUE_CODE_POINTS) {
      return;
    }
    try {
      metadata.putAll(SessionMetadata.validate(Map.of(key, value)));
    } catch (IllegalArgumentException invalid) {
      // the client's value: left out, never echoed
    }
  }
}
