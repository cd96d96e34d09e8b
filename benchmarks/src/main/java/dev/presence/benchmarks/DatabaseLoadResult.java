package dev.presence.benchmarks;

import dev.presence.benchmarks.DatabaseLoadReproduction.Design;
import java.util.EnumMap;
import java.util.Map;

/**
 * The counts of one {@link DatabaseLoadReproduction} run, per minute of the window: operations
 * the clients did, and the database commands attributed to each kind of operation (writes,
 * reads of {@code users}), plus the {@code threads} finds every design makes. Not thread-safe
 * (the simulation is single-threaded).
 */
final class DatabaseLoadResult {
  /** The operations of the table. */
  enum Op {
    CONNECT, DISCONNECT, HEARTBEAT, GET
  }

  final Design design;
  final int minutes;
  /** Per operation, per minute: how many the clients did. */
  private final Map<Op, long[]> events = new EnumMap<>(Op.class);
  /** Per operation, per minute: write commands on {@code users} and {@code threads}. */
  private final Map<Op, long[]> writes = new EnumMap<>(Op.class);
  /** Per operation, per minute: read commands on {@code users}. */
  private final Map<Op, long[]> userReads = new EnumMap<>(Op.class);
  /** Per minute: disconnects of a user's last tab. */
  final long[] finalDisconnects;
  /** Per minute: finds on {@code threads} (the same in every design). */
  final long[] threadReads;
  long otherCommands;
  long evictions;
  /** Documents the writes changed (an updateMany over five threads changes five). */
  long documentsWritten;
  /** Commands sent by closing the library after the window (its users go offline then). */
  long shutdownCommands;
  long shutdownUsers;

  DatabaseLoadResult(Design design, int minutes) {
    this.design = design;
    this.minutes = minutes;
    for (Op op : Op.values()) {
      events.put(op, new long[minutes]);
      writes.put(op, new long[minutes]);
      userReads.put(op, new long[minutes]);
    }
    finalDisconnects = new long[minutes];
    threadReads = new long[minutes];
  }

  /** Counts one operation in {@code minute}. */
  void countEvent(Op op, int minute) {
    events.get(op)[minute]++;
  }

  /** Attributes commands sent while running {@code op} in {@code minute}. */
  void addCommands(Op op, int minute, long writeCommands, long userReadCommands,
      long threadReadCommands) {
    writes.get(op)[minute] += writeCommands;
    userReads.get(op)[minute] += userReadCommands;
    threadReads[minute] += threadReadCommands;
  }

  long events(Op op, int minute) {
    return events.get(op)[minute];
  }

  long writes(Op op, int minute) {
    return writes.get(op)[minute];
  }

  long userReads(Op op, int minute) {
    return userReads.get(op)[minute];
  }

  long events(Op op) {
    return sum(events.get(op));
  }

  long writes(Op op) {
    return sum(writes.get(op));
  }

  long userReads(Op op) {
    return sum(userReads.get(op));
  }

  long finalDisconnects() {
    return sum(finalDisconnects);
  }

  long threadReads() {
    return sum(threadReads);
  }

  long totalWrites() {
    long n = 0;
    for (Op op : Op.values()) {
      n += writes(op);
    }
    return n;
  }

  long totalUserReads() {
    long n = 0;
    for (Op op : Op.values()) {
      n += userReads(op);
    }
    return n;
  }

  private static long sum(long[] perMinute) {
    long n = 0;
    for (long v : perMinute) {
      n += v;
    }
    return n;
  }
}
