package example;

import dev.presence.websocket.PresenceConfigurator;
import dev.presence.websocket.WebSocketPresence;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/**
 * The annotated style, for hosts whose container scans {@code @ServerEndpoint} classes: the
 * container creates the endpoint and its configurator, so both reach the application through
 * static fields that the host sets once at startup, before the container starts.
 */
// tag::annotated[]
@ServerEndpoint(value = "/ws", configurator = AnnotatedChatEndpoint.TokenConfigurator.class)
public class AnnotatedChatEndpoint {
  static volatile WebSocketPresence presence;  // WebSocketPresence.builder(registry).build(), at startup
  static volatile Tokens tokens;                // your token check, at startup

  @OnOpen    public void open(Session s, EndpointConfig c) { presence.onOpen(s, c); /* null: refused, closed 1008 */ }
  @OnMessage public void text(Session s, String m)         { if (presence.onText(s, m)) return; /* a pong */ /* your code */ }
  @OnClose   public void close(Session s)                  { presence.onClose(s); }
  @OnError   public void error(Session s, Throwable t)     { presence.onError(s, t); }

  public static class TokenConfigurator extends PresenceConfigurator {
    public TokenConfigurator() {
      super(request -> tokens.verify(ChatServer.tokenOf(request)));
    }
  }
}
// end::annotated[]
