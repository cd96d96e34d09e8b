package dev.presence.demo;

import dev.presence.LastSeenStore;
import dev.presence.WriteBehindLastSeenStore;
import dev.presence.mongo.CommandCounter;

/**
 * The demo's last-seen write-behind, owned by the demo rather than the registry so that stopping
 * flushes it as a step of its own and reports what the flush did. Thread-safe.
 */
final class LastSeenFlush {
  private final WriteBehindLastSeenStore store;
  private final CommandCounter counter;

  LastSeenFlush(WriteBehindLastSeenStore store, CommandCounter counter) {
    this.store = store;
    this.counter = counter;
  }

  /** The store the registry records into (non-blocking: the registry calls it directly). */
  LastSeenStore store() {
    return store;
  }

  /**
   * Flushes what is queued (bounded by the store's close timeout) and stops the writer thread.
   *
   * @return users written by this flush, {@code update} commands it sent, users left unwritten
   */
  String close() {
    long written = store.writtenCount();
    long updates = counter.count("update", "users");
    store.close();
    return (store.writtenCount() - written) + " users in " + (counter.count("update", "users") - updates)
        + " update commands, " + store.pendingCount() + " not written";
  }
}
