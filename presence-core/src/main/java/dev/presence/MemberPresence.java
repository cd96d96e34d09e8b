package dev.presence;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one thread member shows in {@link ThreadEnricher}'s output: online, their presence as the
 * viewer may see it (null for the viewer-less calls), and their last seen if it may be shown.
 * Not thread-safe: built and read by one enrichment call.
 */
final class MemberPresence {
  private static final Logger LOG = LoggerFactory.getLogger(ThreadEnricher.class);

  boolean online;
  VisiblePresence presence;
  boolean lastSeenAllowed;
  @Nullable Instant lastSeen;


  /**
   * Decides what every distinct member shows, with one store read for those who look offline
   * and whose last seen the viewer (null: an unknown viewer) may see.
   */
  static Map<String, MemberPresence> resolve(PresenceRegistry registry, LastSeenStore lastSeen,
      @Nullable String viewer, List<String> ids) {
    Map<String, MemberPresence> out = new HashMap<>();
    Set<String> wanted = new LinkedHashSet<>();
    for (String id : ids) {
      if (out.containsKey(id)) {
        continue;
      }
      MemberPresence u = new MemberPresence();
      if (viewer == null) {
        u.online = registry.isOnline(id);
      } else {
        u.presence = registry.visiblePresence(viewer, id);
        u.online = u.presence.online();
      }
      u.lastSeenAllowed = !u.online && lastSeen != null && registry.visibility(viewer, id).lastSeen();
      if (u.lastSeenAllowed) {
        wanted.add(id);
      }
      out.put(id, u);
    }
    if (!wanted.isEmpty()) {
      Map<String, Instant> seen;
      try {
        seen = lastSeen.readAll(wanted);
      } catch (RuntimeException e) {
        LOG.warn("Reading last-seen times of {} users failed; omitting last_online", wanted.size(), e);
        seen = Map.of();
      }
      for (String id : wanted) {
        out.get(id).lastSeen = seen.get(id);
      }
    }
    return out;
  }

}
