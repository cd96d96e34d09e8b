package dev.presence.websocket;

import dev.presence.ConnectOptions;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.SessionLimitException;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open path of {@link WebSocketPresence#onOpen}: decides as whom a session being opened is
 * registered, or refuses it. Resolves the user ({@link UserResolver}) and then the {@link
 * ConnectOptions} ({@link ConnectOptionsResolver}; null means the defaults); no user, a blank one
 * or a resolver that throws means 1008 "unauthenticated". Otherwise it creates the session's
 * {@link SessionOutbound}, tracks it in the {@link SessionTable}, installs the pong handler and
 * connects it to the registry; a registry at capacity means 1013 "try again later", a closed one
 * 1001 "server shutting down". It counts both kinds of refusal; a resolver's failure is logged at
 * WARN and never propagates.
 *
 * <p>Thread-safe if its resolvers are: its own state is two counters.
 */
final class SessionOpening {
  // under the integration's name, as before the split: hosts configure it by that name
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketPresence.class);

  /** What a new {@link SessionOutbound} is made with. */
  record OutboundSettings(PingStyle pingStyle, int maxPendingSends, long maxPendingBytes,
      Duration writeTimeout) {}

  private final PresenceRegistry registry;
  private final UserResolver resolver;
  private final ConnectOptionsResolver optionsResolver;
  private final OutboundSettings settings;
  private final WebSocketPresence owner;
  private final SessionTable sessions;
  private final Executor io;
  private final LongAdder refused = new LongAdder();
  private final LongAdder capacityRefused = new LongAdder();

  SessionOpening(PresenceRegistry registry, UserResolver resolver,
      ConnectOptionsResolver optionsResolver, OutboundSettings settings, WebSocketPresence owner,
      SessionTable sessions, Executor io) {
    this.registry = registry;
    this.resolver = resolver;
    this.optionsResolver = optionsResolver;
    this.settings = settings;
    this.owner = owner;
    this.sessions = sessions;
    this.io = io;
  }

  /**
   * Registers the session, or closes it with the reason it is refused.
   *
   * @return the registered presence session, or null if the session was refused
   */
  @Nullable PresenceSession open(Session session, EndpointConfig config) {
    String userId = resolveUser(session, config);
    ConnectOptions options = userId == null ? null : resolveOptions(session, config, userId);
    if (userId == null || options == null) {
      refused.increment();
      LOG.debug("Refusing WebSocket session {}: no user", session.getId());
      refuse(session, WebSocketPresence.REFUSED);
      return null;
    }
    Duration writeTimeout = settings.writeTimeout();
    Transport transport = Transport.of(session, io, writeTimeout.toMillis());
    SessionOutbound outbound = new SessionOutbound(session, userId, owner, transport,
        settings.pingStyle(), settings.maxPendingSends(), settings.maxPendingBytes(), writeTimeout);
    sessions.put(session, outbound);
    try {
      session.addMessageHandler(PongMessage.class,
          (MessageHandler.Whole<PongMessage>) pong -> outbound.touched());
    } catch (IllegalStateException e) {
      LOG.debug("Session {} already has a pong handler; it must call touch()", session.getId());
    }
    PresenceSession presence;
    try {
      presence = registry.connect(userId, session.getId(), outbound, options);
    } catch (SessionLimitException e) {
      sessions.remove(session, outbound);
      capacityRefused.increment();
      LOG.debug("Refusing WebSocket session {}: {}", session.getId(), e.getMessage());
      outbound.closeSocket(WebSocketPresence.TRY_AGAIN_LATER);
      return null;
    } catch (IllegalStateException e) {
      sessions.remove(session, outbound);
      LOG.debug("Refusing WebSocket session {} of user '{}': {}", session.getId(), userId,
          e.getMessage());
      outbound.closeSocket(WebSocketPresence.SHUTTING_DOWN);
      return null;
    }
    outbound.registered(presence);
    return presence;
  }

  /** Sessions refused because their user could not be resolved. */
  long refusedCount() {
    return refused.sum();
  }

  /** Sessions refused because the registry was at capacity. */
  long capacityRefusedCount() {
    return capacityRefused.sum();
  }

  /** The user, or null if there is none (or resolving it failed). */
  private @Nullable String resolveUser(Session session, EndpointConfig config) {
    String userId;
    try {
      userId = resolver.resolve(session, config);
    } catch (RuntimeException e) {
      LOG.warn("User resolution failed for WebSocket session {}; refusing it", session.getId(), e);
      return null;
    }
    return userId == null || userId.isBlank() ? null : userId;
  }

  /** The options (the defaults for null), or null if resolving them failed. */
  private @Nullable ConnectOptions resolveOptions(Session session, EndpointConfig config,
      String userId) {
    try {
      ConnectOptions options = optionsResolver.resolve(session, config, userId);
      return options == null ? ConnectOptions.defaults() : options;
    } catch (RuntimeException e) {
      LOG.warn("Connect options failed for WebSocket session {}; refusing it", session.getId(), e);
      return null;
    }
  }

  private void refuse(Session session, CloseReason reason) {
    try {
      Transport.of(session, io, settings.writeTimeout().toMillis()).close(reason, () -> { });
    } catch (RuntimeException e) {
      LOG.debug("Closing refused WebSocket session {} failed", session.getId(), e);
    }
  }
}
