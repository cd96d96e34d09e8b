package dev.presence.redis;

import java.util.Objects;

/**
 * Orders changes of a user's user-level state (availability and status text) across the
 * cluster: the change with the greatest stamp wins everywhere. {@code version} is a hybrid clock
 * issued by the node where the change was made ({@code origin}): at least its wall time in
 * microseconds-sized steps and above every version it has seen, so a later change wins even
 * when clocks disagree a little. Ties between origins are broken by the origin's id, so every
 * node picks the same winner. A node that adopts a change keeps its stamp. Immutable.
 *
 * @param version the version; 0 for state taken from {@code ConnectOptions} at a first connect
 * @param origin the node that issued it
 */
record Stamp(long version, String origin) implements Comparable<Stamp> {
  /** Before anything. */
  static final Stamp NONE = new Stamp(0, "");

  Stamp {
    Objects.requireNonNull(origin, "origin");
  }

  @Override
  public int compareTo(Stamp o) {
    int c = Long.compare(version, o.version);
    return c != 0 ? c : origin.compareTo(o.origin);
  }

  boolean isAfter(Stamp o) {
    return compareTo(o) > 0;
  }
}
