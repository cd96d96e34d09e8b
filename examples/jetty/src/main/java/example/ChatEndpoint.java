package example;

import dev.presence.websocket.PresenceEndpoint;
import dev.presence.websocket.WebSocketPresence;
import jakarta.websocket.Session;

/** One instance per connection. Presence (register, pongs, close, errors) is the library's. */
public final class ChatEndpoint extends PresenceEndpoint {

  ChatEndpoint(WebSocketPresence presence) {
    super(presence);
  }

  @Override
  protected void onText(Session session, String text) {
    // Your messages arrive here; heartbeat answers ({"type":"pong"}) never do.
  }
}
