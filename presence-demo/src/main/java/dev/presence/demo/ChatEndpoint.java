package dev.presence.demo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.presence.PresenceFanout;
import dev.presence.PresenceMessages;
import dev.presence.websocket.PresenceEndpoint;
import dev.presence.websocket.WebSocketPresence;
import dev.presence.PresenceSession;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;

/**
 * The {@code /ws} endpoint. Presence (registration, pongs, close) is the library's
 * {@link PresenceEndpoint}; the demo adds only an answer to texts it does not understand, since
 * its clients send nothing but heartbeat answers, and a {@code {"type":"ready"}} message once the
 * session is registered: a client that loads the thread list after it cannot miss a transition
 * (the WebSocket handshake completes on the client before the server has registered the session,
 * so loading on "open" could). An error reply quotes the client's {@code type} only as a short
 * {@link ClientText#excerpt(String) excerpt}: a client cannot make the server queue copies of a
 * long string it sent. Public only because Jakarta WebSocket requires
 * endpoint classes to be. One instance per session, confined to it.
 */
public final class ChatEndpoint extends PresenceEndpoint {

  private final PresenceFanout fanout;

  ChatEndpoint(WebSocketPresence presence, PresenceFanout fanout) {
    super(presence);
    this.fanout = fanout;
  }

  /**
   * Sends the session the {@code presence_state} of everyone it shares a thread with (so that a
   * reconnecting page repaints without a database read), then {@code ready}.
   */
  @Override
  protected void onSessionOpen(Session session, EndpointConfig config, PresenceSession p) {
    fanout.sendState(p, text -> presence().send(session, text));
    presence().send(session, JsonNodeFactory.instance.objectNode()
        .put("type", "ready").put("user_id", p.userId()).toString());
  }

  @Override
  protected void onText(Session session, String text) {
    String type = PresenceMessages.typeOf(text);
    String problem = type == null
        ? "messages must be JSON objects with a string \"type\""
        : "unknown message type " + ClientText.excerpt(type) + " (clients send only {\"type\":\"pong\"})";
    presence().send(session, JsonNodeFactory.instance.objectNode()
        .put("type", "error").put("error", problem).toString());
  }
}
