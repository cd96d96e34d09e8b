package dev.presence.spring;

import dev.presence.PresenceMessages;
import dev.presence.PresenceSession;
import dev.presence.SessionLimitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;

/**
 * The handler {@link SpringWebSocketPresence#decorate} returns. Thread-safe: the container calls
 * it for many sessions at once; per-session state lives in the session's attributes.
 */
final class PresenceWebSocketHandler extends WebSocketHandlerDecorator {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceWebSocketHandler.class);
  static final CloseStatus UNAUTHENTICATED = CloseStatus.POLICY_VIOLATION.withReason("unauthenticated");
  static final CloseStatus TOO_MANY_SESSIONS = CloseStatus.SERVICE_OVERLOAD.withReason("try again later");
  static final CloseStatus UNAVAILABLE = CloseStatus.SERVICE_RESTARTED.withReason("presence unavailable");

  private final SpringWebSocketPresence owner;

  PresenceWebSocketHandler(WebSocketHandler delegate, SpringWebSocketPresence owner) {
    super(delegate);
    this.owner = owner;
  }

  @Override
  public void afterConnectionEstablished(WebSocketSession session) throws Exception {
    String userId;
    try {
      userId = owner.resolver().resolve(session);
    } catch (RuntimeException e) {
      LOG.warn("User resolution failed for WebSocket session {}; refusing it", session.getId(), e);
      userId = null;
    }
    if (userId == null || userId.isBlank()) {
      owner.refused();
      LOG.debug("Refusing WebSocket session {}: no user", session.getId());
      closeQuietly(session, UNAUTHENTICATED);
      return;
    }
    NativeSendTimeout.apply(session, owner.sendTimeLimitMillis());
    ConcurrentWebSocketSessionDecorator decorated = new ConcurrentWebSocketSessionDecorator(
        session, owner.sendTimeLimitMillis(), owner.sendBufferSizeLimit());
    SessionOutbound outbound = new SessionOutbound(session, decorated, userId, owner);
    session.getAttributes().put(SpringWebSocketPresence.OUTBOUND_ATTRIBUTE, outbound);
    PresenceSession presence;
    try {
      presence = owner.registry().connect(userId, session.getId(), outbound);
    } catch (SessionLimitException e) {
      LOG.debug("Refusing WebSocket session {} of user '{}': {}", session.getId(), userId, e.getMessage());
      session.getAttributes().remove(SpringWebSocketPresence.OUTBOUND_ATTRIBUTE);
      closeQuietly(session, TOO_MANY_SESSIONS);
      return;
    } catch (IllegalStateException e) {
      // the registry is closed (shutting down)
      LOG.debug("Registry refused WebSocket session {} of user '{}'", session.getId(), userId, e);
      owner.refused();
      session.getAttributes().remove(SpringWebSocketPresence.OUTBOUND_ATTRIBUTE);
      closeQuietly(session, UNAVAILABLE);
      return;
    }
    outbound.registered(presence);
    super.afterConnectionEstablished(decorated);
  }

  @Override
  public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) throws Exception {
    SessionOutbound o = SpringWebSocketPresence.outboundOf(session);
    if (o == null) {
      return; // refused: the application never sees it
    }
    PresenceSession p = o.presence();
    if (message instanceof TextMessage text) {
      if (p != null ? owner.applyPresenceText(p, text.getPayload(), o::send)
          : PresenceMessages.isPong(text.getPayload())) {
        return; // a presence message (pong, activity, set_status, set_metadata): applied or answered
      }
    } else if (p != null) {
      p.touch();
    }
    if (message instanceof PongMessage) {
      return; // a heartbeat answer
    }
    super.handleMessage(o.decorated(), message);
  }

  @Override
  public void handleTransportError(WebSocketSession session, Throwable exception) throws Exception {
    SessionOutbound o = SpringWebSocketPresence.outboundOf(session);
    if (o == null) {
      return;
    }
    LOG.debug("WebSocket session {} failed", session.getId(), exception);
    o.transportFailed();
    super.handleTransportError(o.decorated(), exception);
  }

  @Override
  public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
    SessionOutbound o = SpringWebSocketPresence.outboundOf(session);
    if (o == null) {
      return;
    }
    o.socketClosed();
    super.afterConnectionClosed(o.decorated(), closeStatus);
  }

  private static void closeQuietly(WebSocketSession session, CloseStatus status) {
    try {
      session.close(status);
    } catch (Exception e) {
      LOG.debug("Closing WebSocket session {} failed", session.getId(), e);
    }
  }

  @Override
  public String toString() {
    return "PresenceWebSocketHandler(" + getDelegate() + ")";
  }
}
