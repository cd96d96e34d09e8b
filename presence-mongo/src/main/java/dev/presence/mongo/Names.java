package dev.presence.mongo;

import java.util.Objects;

/** Validation of the collection and field names given to the builders; messages are API. */
final class Names {
  private Names() {}

  static String collection(String setting, String name) {
    Objects.requireNonNull(name, setting);
    if (name.isBlank() || name.indexOf('$') >= 0 || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(setting + " must be a valid, non-blank collection name: '"
          + name + "'");
    }
    return name;
  }

  static String fieldPath(String setting, String value) {
    Objects.requireNonNull(value, setting);
    if (value.isBlank()) {
      throw new IllegalArgumentException(setting + " must not be blank: '" + value + "'");
    }
    for (String part : value.split("\\.", -1)) {
      if (part.isEmpty() || part.startsWith("$") || part.indexOf('\0') >= 0
          || !part.strip().equals(part)) {
        throw new IllegalArgumentException(setting
            + " must be a field name or dotted path without empty parts, '$' prefixes or"
            + " surrounding spaces: '" + value + "'");
      }
    }
    return value;
  }
}
