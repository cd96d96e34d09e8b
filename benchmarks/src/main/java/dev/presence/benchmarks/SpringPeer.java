package dev.presence.benchmarks;

import java.security.Principal;
import org.springframework.messaging.Message;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.messaging.DefaultSimpUserRegistry;
import org.springframework.web.socket.messaging.SessionConnectedEvent;
import org.springframework.web.socket.messaging.SessionDisconnectEvent;

/**
 * Spring's {@link DefaultSimpUserRegistry}, the registry a Java team gets from Spring WebSocket
 * (STOMP), fed the events its {@code StompSubProtocolHandler} publishes: a
 * {@link SessionConnectedEvent} carrying the CONNECT_ACK message (session id header) and the
 * authenticated {@link Principal}, and a {@link SessionDisconnectEvent} with the session id,
 * close status and principal. The events are built once per slot in {@link #prepare} and handed
 * straight to {@code onApplicationEvent}: the timed part excludes Spring's event construction and
 * its application-event multicaster, so this is Spring's best case.
 */
final class SpringPeer implements Peer {
  private static final byte[] EMPTY = new byte[0];
  private static final Object SOURCE = new Object();

  private final DefaultSimpUserRegistry registry = new DefaultSimpUserRegistry();
  private SessionConnectedEvent[] connected = new SessionConnectedEvent[0];
  private SessionDisconnectEvent[] disconnected = new SessionDisconnectEvent[0];

  @Override
  public void prepare(String[] users, String[] sessions) {
    connected = new SessionConnectedEvent[users.length];
    disconnected = new SessionDisconnectEvent[users.length];
    for (int i = 0; i < users.length; i++) {
      connected[i] = connectedEvent(users[i], sessions[i]);
      disconnected[i] = disconnectEvent(users[i], sessions[i]);
    }
  }

  static SessionConnectedEvent connectedEvent(String user, String session) {
    Principal principal = new UserPrincipal(user);
    return new SessionConnectedEvent(SOURCE, message(SimpMessageType.CONNECT_ACK, session, principal), principal);
  }

  static SessionDisconnectEvent disconnectEvent(String user, String session) {
    Principal principal = new UserPrincipal(user);
    return new SessionDisconnectEvent(SOURCE, message(SimpMessageType.DISCONNECT, session, principal),
        session, CloseStatus.NORMAL, principal);
  }

  private static Message<byte[]> message(SimpMessageType type, String session, Principal user) {
    SimpMessageHeaderAccessor accessor = SimpMessageHeaderAccessor.create(type);
    accessor.setSessionId(session);
    accessor.setUser(user);
    return MessageBuilder.createMessage(EMPTY, accessor.getMessageHeaders());
  }

  @Override
  public void connect(int slot) {
    registry.onApplicationEvent(connected[slot]);
  }

  @Override
  public void disconnect(int slot) {
    registry.onApplicationEvent(disconnected[slot]);
  }

  @Override
  public void populate(String user, String session) {
    registry.onApplicationEvent(connectedEvent(user, session));
  }

  @Override
  public boolean isOnline(String user) {
    // The registry drops a user with their last session, so presence of the entry is "online".
    return registry.getUser(user) != null;
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "spring";
  }

  private record UserPrincipal(String getName) implements Principal {}
}
