package dev.presence.spring.stomp;

import dev.presence.DisconnectReason;
import dev.presence.Outbound;
import dev.presence.PresenceProtocol;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.SessionLimitException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageSendingOperations;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.config.ChannelRegistration;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.MessageHeaderAccessor;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketTransportRegistration;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.handler.WebSocketHandlerDecoratorFactory;
import org.springframework.web.socket.messaging.AbstractSubProtocolEvent;
import org.springframework.web.socket.messaging.SessionConnectedEvent;
import org.springframework.web.socket.messaging.SessionDisconnectEvent;

/**
 * Presence for STOMP over WebSocket ({@code @EnableWebSocketMessageBroker}). A STOMP session is
 * registered when Spring publishes its {@link SessionConnectedEvent}, under the name of the
 * session's {@link Principal} (from the handshake, or set on the CONNECT frame by a channel
 * interceptor); a session without a user is not registered. It ends on
 * {@link SessionDisconnectEvent}.
 *
 * <p><b>Liveness.</b> Every WebSocket frame the client sends, STOMP heart-beats included, is a
 * sign of life (seen by the WebSocket handler decorator this class installs). The registry's
 * heartbeat sends nothing here: STOMP has its own heart-beats, negotiated by Spring. A session
 * with no inbound frame for the registry's heartbeat timeout is evicted and its WebSocket
 * closed, so clients must send heart-beats more often than that (stomp.js does every 10 s by
 * default); a broker that notices missing heart-beats first closes the session itself.
 *
 * <p><b>Messages.</b> Status messages go to the session through the user destination
 * {@code /user/queue/presence} (configurable): a client subscribes to it. Sending hands the
 * message to Spring's broker channel and returns; Spring's client outbound channel and its
 * {@code sendTimeLimit}/{@code sendBufferSizeLimit} (set in {@code configureWebSocketTransport})
 * protect other clients from one that does not read.
 *
 * <p><b>Client messages.</b> A client sends the presence messages of docs/protocol.md
 * ({@code activity}, {@code set_status}, {@code set_metadata}) as the body of a STOMP
 * {@code SEND} to the inbound destination, {@code /app/presence} by default. A channel
 * interceptor on the client inbound channel applies them through core's {@link PresenceProtocol}
 * as the session's own user, before any {@code @MessageMapping} or broker sees them, and drops
 * them: nothing else receives frames sent there. A bad one (or one over the registry's
 * {@code clientChangeLimit}) changes nothing and is answered with an {@code error} message on the
 * session's status destination. Other message types sent there are ignored.
 *
 * <p>Install it as a {@link WebSocketMessageBrokerConfigurer} bean (the Boot starter does) or
 * add it with {@code registration.addDecoratorFactory(stompPresence)}, and as an application
 * listener. Thread-safe.
 */
public final class StompPresence implements WebSocketMessageBrokerConfigurer,
    WebSocketHandlerDecoratorFactory, ApplicationListener<AbstractSubProtocolEvent>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StompPresence.class);

  private final PresenceRegistry registry;
  private final Supplier<? extends SimpMessageSendingOperations> messaging;
  private final String destination;
  private final String inboundDestination;
  private final PresenceProtocol protocol = PresenceProtocol.standard();
  private final ConcurrentHashMap<String, WebSocketSession> sockets = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, PresenceSession> sessions = new ConcurrentHashMap<>();
  private final ThreadPoolExecutor closer;
  private final LongAdder refused = new LongAdder();
  private final LongAdder sent = new LongAdder();

  private StompPresence(PresenceRegistry registry,
      Supplier<? extends SimpMessageSendingOperations> messaging, String destination,
      String inboundDestination) {
    this.registry = registry;
    this.messaging = messaging;
    this.destination = destination;
    this.inboundDestination = inboundDestination;
    this.closer = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "presence-stomp-closer");
          t.setDaemon(true);
          return t;
        });
    closer.allowCoreThreadTimeOut(true);
  }

  /**
   * Creates the integration.
   *
   * @param registry the registry sessions are registered in
   * @param messaging the messaging template, looked up at the first send (it is usually a bean
   *     of the broker configuration this object is part of)
   * @param destination the user destination status messages go to, e.g. {@code /queue/presence}
   *     (clients subscribe to {@code /user/queue/presence})
   * @return the integration
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code destination} does not start with {@code /}
   */
  public static StompPresence create(PresenceRegistry registry,
      Supplier<? extends SimpMessageSendingOperations> messaging, String destination) {
    return create(registry, messaging, destination, DEFAULT_INBOUND_DESTINATION);
  }

  /** The default destination clients send their presence messages to: {@code /app/presence}. */
  public static final String DEFAULT_INBOUND_DESTINATION = "/app/presence";

  /**
   * Creates the integration with the destination clients send their presence messages to.
   *
   * @param registry the registry sessions are registered in
   * @param messaging the messaging template, looked up at the first send
   * @param destination the user destination status messages go to, e.g. {@code /queue/presence}
   * @param inboundDestination where clients {@code SEND} {@code activity}, {@code set_status} and
   *     {@code set_metadata}, e.g. {@code /app/presence}; frames sent there reach nothing else
   * @return the integration
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if a destination does not start with {@code /}
   */
  public static StompPresence create(PresenceRegistry registry,
      Supplier<? extends SimpMessageSendingOperations> messaging, String destination,
      String inboundDestination) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(messaging, "messaging");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(inboundDestination, "inboundDestination");
    if (!destination.startsWith("/")) {
      throw new IllegalArgumentException("destination must start with '/': '" + destination + "'");
    }
    if (!inboundDestination.startsWith("/")) {
      throw new IllegalArgumentException("inboundDestination must start with '/': '" + inboundDestination + "'");
    }
    return new StompPresence(registry, messaging, destination, inboundDestination);
  }

  /** Adds the interceptor that applies the presence messages clients send. */
  @Override
  public void configureClientInboundChannel(ChannelRegistration registration) {
    registration.interceptors(new ChannelInterceptor() {
      @Override
      public Message<?> preSend(Message<?> message, MessageChannel channel) {
        return inbound(message);
      }
    });
  }

  /** Applies a presence message sent to the inbound destination and drops it; else passes. */
  private Message<?> inbound(Message<?> message) {
    StompHeaderAccessor headers = MessageHeaderAccessor.getAccessor(message, StompHeaderAccessor.class);
    if (headers == null || headers.getCommand() != StompCommand.SEND
        || !inboundDestination.equals(headers.getDestination())) {
      return message;
    }
    String sessionId = headers.getSessionId();
    PresenceSession p = sessionId == null ? null : sessions.get(sessionId);
    Object payload = message.getPayload();
    String text = payload instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
        : payload instanceof String str ? str : null;
    if (p == null || text == null) {
      return null; // not tracked, or not text: nothing to apply
    }
    protocol.apply(registry, p, text, new StompOutbound(sessionId, p.userId())::send);
    return null;
  }

  /** Adds this object's WebSocket handler decorator. */
  @Override
  public void configureWebSocketTransport(WebSocketTransportRegistration registration) {
    registration.addDecoratorFactory(this);
  }

  @Override
  public WebSocketHandler decorate(WebSocketHandler handler) {
    return new WebSocketHandlerDecorator(handler) {
      @Override
      public void afterConnectionEstablished(WebSocketSession session) throws Exception {
        sockets.put(session.getId(), session);
        super.afterConnectionEstablished(session);
      }

      @Override
      public void handleMessage(WebSocketSession session, WebSocketMessage<?> message)
          throws Exception {
        PresenceSession p = sessions.get(session.getId());
        if (p != null) {
          p.touch();
        }
        super.handleMessage(session, message);
      }

      @Override
      public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus)
          throws Exception {
        sockets.remove(session.getId());
        end(session.getId());
        super.afterConnectionClosed(session, closeStatus);
      }
    };
  }

  @Override
  public void onApplicationEvent(AbstractSubProtocolEvent event) {
    String sessionId = SimpMessageHeaderAccessor.getSessionId(event.getMessage().getHeaders());
    if (sessionId == null) {
      return;
    }
    if (event instanceof SessionConnectedEvent) {
      connected(sessionId, event.getUser());
    } else if (event instanceof SessionDisconnectEvent) {
      end(sessionId);
    }
  }

  private void connected(String sessionId, Principal user) {
    if (user == null || user.getName() == null || user.getName().isBlank()) {
      refused.increment();
      LOG.debug("STOMP session {} has no user; not tracked", sessionId);
      return;
    }
    PresenceSession p;
    try {
      p = registry.connect(user.getName(), sessionId, new StompOutbound(sessionId, user.getName()));
    } catch (SessionLimitException e) {
      LOG.debug("Refusing STOMP session {} of user '{}': {}", sessionId, user.getName(), e.getMessage());
      closeSocket(sessionId, CloseStatus.SERVICE_OVERLOAD.withReason("try again later"));
      return;
    } catch (IllegalStateException e) {
      refused.increment();
      LOG.debug("Registry refused STOMP session {} of user '{}'", sessionId, user.getName(), e);
      closeSocket(sessionId, CloseStatus.SERVICE_RESTARTED.withReason("presence unavailable"));
      return;
    }
    PresenceSession previous = sessions.put(sessionId, p);
    if (previous != null && previous != p) {
      previous.close();
    }
    if (!sockets.containsKey(sessionId)) {
      end(sessionId); // the socket closed while we registered
    }
  }

  private void end(String sessionId) {
    PresenceSession p = sessions.remove(sessionId);
    if (p != null) {
      p.close();
    }
  }

  /**
   * Returns the presence session of a STOMP session.
   *
   * @param sessionId the STOMP (= WebSocket) session id
   * @return the registration, or null if the session is not registered
   */
  public PresenceSession presenceOf(String sessionId) {
    return sessions.get(sessionId);
  }

  /**
   * Returns how many STOMP sessions connected without a user (or were refused by the registry)
   * and are not tracked.
   *
   * @return the count since creation
   */
  public long refusedCount() {
    return refused.sum();
  }

  /**
   * Returns how many status messages were handed to the broker.
   *
   * @return the count since creation
   */
  public long sentCount() {
    return sent.sum();
  }

  /**
   * Returns the registry sessions are registered in.
   *
   * @return the registry
   */
  public PresenceRegistry registry() {
    return registry;
  }

  /** Stops the closer thread after pending closes. Idempotent. */
  @Override
  public void close() {
    closer.shutdown();
  }

  private void closeSocket(String sessionId, CloseStatus status) {
    WebSocketSession socket = sockets.get(sessionId);
    if (socket == null) {
      return;
    }
    Runnable close = () -> {
      try {
        socket.close(status);
      } catch (Exception e) {
        LOG.debug("Closing STOMP WebSocket session {} failed", sessionId, e);
      }
    };
    try {
      closer.execute(close);
    } catch (RejectedExecutionException e) {
      close.run(); // shutting down
    }
  }

  @Override
  public String toString() {
    return "StompPresence(" + destination + ", inbound " + inboundDestination + ")";
  }

  /** Reaches one STOMP session through its user destination. Thread-safe. */
  private final class StompOutbound implements Outbound {
    private final String sessionId;
    private final String userName;

    StompOutbound(String sessionId, String userName) {
      this.sessionId = sessionId;
      this.userName = userName;
    }

    @Override
    public void ping() {
      if (!sockets.containsKey(sessionId)) {
        throw new IllegalStateException("STOMP session " + sessionId + " is closed");
      }
      // nothing to send: STOMP heart-beats are Spring's; inbound frames touch the session
    }

    @Override
    public void send(String text) {
      SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
      headers.setSessionId(sessionId);
      headers.setLeaveMutable(true);
      try {
        messaging.get().convertAndSendToUser(userName, destination, text, headers.getMessageHeaders());
        sent.increment();
      } catch (RuntimeException e) {
        LOG.debug("Sending to STOMP session {} failed", sessionId, e);
      }
    }

    @Override
    public void close(DisconnectReason reason) {
      sessions.remove(sessionId);
      closeSocket(sessionId, reason == DisconnectReason.HEARTBEAT_TIMEOUT
          ? CloseStatus.GOING_AWAY.withReason("heartbeat timeout")
          : CloseStatus.GOING_AWAY.withReason(reason.name().toLowerCase(java.util.Locale.ROOT)));
    }
  }
}
