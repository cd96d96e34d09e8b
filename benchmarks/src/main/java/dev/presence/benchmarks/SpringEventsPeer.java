package dev.presence.benchmarks;

import java.security.Principal;
import org.springframework.context.event.SimpleApplicationEventMulticaster;
import org.springframework.messaging.Message;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.messaging.DefaultSimpUserRegistry;
import org.springframework.web.socket.messaging.SessionConnectedEvent;
import org.springframework.web.socket.messaging.SessionDisconnectEvent;

/**
 * Spring's {@link DefaultSimpUserRegistry} on the path a Spring application really takes: per
 * connect and disconnect, a new {@link SessionConnectedEvent} / {@link SessionDisconnectEvent}
 * published through the application-event multicaster (the one an application context uses,
 * synchronous, with the registry as its only listener). The STOMP messages the events carry are
 * built once per slot (the protocol handler has them anyway). Compare with {@link SpringPeer},
 * the registry alone.
 */
final class SpringEventsPeer implements Peer {
  private static final Object SOURCE = new Object();

  private final DefaultSimpUserRegistry registry = new DefaultSimpUserRegistry();
  private final SimpleApplicationEventMulticaster multicaster = new SimpleApplicationEventMulticaster();
  private Message<byte[]>[] connectAcks;
  private Message<byte[]>[] disconnects;
  private Principal[] principals;
  private String[] sessions;

  SpringEventsPeer() {
    multicaster.addApplicationListener(registry);
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"}) // an array of a generic type can only be created raw
  public void prepare(String[] users, String[] sessions) {
    connectAcks = new Message[users.length];
    disconnects = new Message[users.length];
    principals = new Principal[users.length];
    this.sessions = sessions.clone();
    for (int i = 0; i < users.length; i++) {
      SessionConnectedEvent c = SpringPeer.connectedEvent(users[i], sessions[i]);
      SessionDisconnectEvent d = SpringPeer.disconnectEvent(users[i], sessions[i]);
      connectAcks[i] = c.getMessage();
      disconnects[i] = d.getMessage();
      principals[i] = c.getUser();
    }
  }

  @Override
  public void connect(int slot) {
    multicaster.multicastEvent(new SessionConnectedEvent(SOURCE, connectAcks[slot], principals[slot]));
  }

  @Override
  public void disconnect(int slot) {
    multicaster.multicastEvent(new SessionDisconnectEvent(SOURCE, disconnects[slot], sessions[slot],
        CloseStatus.NORMAL, principals[slot]));
  }

  @Override
  public void populate(String user, String session) {
    multicaster.multicastEvent(SpringPeer.connectedEvent(user, session));
  }

  @Override
  public boolean isOnline(String user) {
    return registry.getUser(user) != null;
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "spring_events";
  }
}
