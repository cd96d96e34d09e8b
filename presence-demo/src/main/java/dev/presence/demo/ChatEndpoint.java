package dev.presence.demo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.presence.PresenceMessages;
import dev.presence.websocket.PresenceEndpoint;
import dev.presence.websocket.WebSocketPresence;
import jakarta.websocket.Session;

/**
 * The {@code /ws} endpoint. Presence (registration, pongs, close) is the library's
 * {@link PresenceEndpoint}; the demo adds only an answer to texts it does not understand, since
 * its clients send nothing but heartbeat answers. One instance per session.
 */
final class ChatEndpoint extends PresenceEndpoint {

  ChatEndpoint(WebSocketPresence presence) {
    super(presence);
  }

  @Override
  protected void onText(Session session, String text) {
    String type = PresenceMessages.typeOf(text);
    String problem = type == null
        ? "messages must be JSON objects with a string \"type\""
        : "unknown message type '" + type + "' (clients send only {\"type\":\"pong\"})";
    presence().send(session, JsonNodeFactory.instance.objectNode()
        .put("type", "error").put("error", problem).toString());
  }
}
