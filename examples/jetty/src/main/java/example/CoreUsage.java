package example;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.Audience;
import dev.presence.DisconnectReason;
import dev.presence.Outbound;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.StatusBroadcaster;
import dev.presence.ThreadEnricher;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The core API without an adapter: what a transport does per connection, and the lookups. */
public final class CoreUsage {
  private static final Logger LOG = LoggerFactory.getLogger(CoreUsage.class);

  private CoreUsage() {}

  /** Returns the thread with {@code users[*].is_online} set from memory. */
  static JsonNode run(Outbound outbound, JsonNode thread) {
    // tag::core[]
    PresenceRegistry registry = PresenceRegistry.builder()
        .heartbeatInterval(Duration.ofSeconds(30))
        .offlineGrace(Duration.ofSeconds(5))
        .build();

    // Who hears about whom: here, rooms kept in memory (ThreadMembership does this for chat threads).
    Map<String, Set<String>> roomOfUser = new ConcurrentHashMap<>();
    roomOfUser.put("alice", Set.of("alice", "bob"));
    roomOfUser.put("bob", Set.of("alice", "bob"));
    Audience rooms = userId -> roomOfUser.getOrDefault(userId, Set.of());
    StatusBroadcaster.install(registry, rooms);
    registry.addListener(e -> LOG.info("{} is now {}", e.userId(), e.online() ? "online" : "offline"));

    // In your transport, per connection (presence-jakarta-websocket does this for you):
    PresenceSession session = registry.connect("alice", "connection-1", outbound);
    session.touch();                               // on every incoming message or pong
    boolean online = registry.isOnline("alice");   // a lock-free lookup: true

    // users[*].is_online from memory; add .lastSeenStore(...) for users[*].last_online
    ThreadEnricher enricher = ThreadEnricher.builder(registry).build();
    JsonNode enriched = enricher.enrich(thread);

    session.close();                               // when the socket closes
    registry.close();                              // on shutdown: before the adapter and the server
    // end::core[]
    LOG.debug("alice was online: {}", online);
    return enriched;
  }

  /** An outbound that drops everything: enough for a connection that only needs to be counted. */
  static Outbound discarding() {
    return new Outbound() {
      @Override
      public void ping() {}

      @Override
      public void send(String text) {}

      @Override
      public void close(DisconnectReason reason) {}
    };
  }
}
