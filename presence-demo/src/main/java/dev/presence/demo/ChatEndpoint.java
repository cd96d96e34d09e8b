package dev.presence.demo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.presence.PresenceFanout;
import dev.presence.PresenceMessages;
import dev.presence.websocket.PresenceEndpoint;
import dev.presence.websocket.WebSocketPresence;
import dev.presence.PresenceSession;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import java.time.Duration;

/**
 * The {@code /ws} endpoint. Presence (registration, pongs, the client's {@code activity},
 * {@code set_status} and {@code set_metadata}, close) is the library's {@link PresenceEndpoint};
 * the demo adds only an answer to texts it does not understand, and a {@code {"type":"ready"}}
 * message once the session is registered (with {@code idle_after_ms} when automatic away is on,
 * so that the page reports activity often enough): a client that loads the thread list after it
 * cannot miss a transition
 * (the WebSocket handshake completes on the client before the server has registered the session,
 * so loading on "open" could). An error reply quotes the client's {@code type} only as a short
 * {@link ClientText#excerpt(String) excerpt}: a client cannot make the server queue copies of a
 * long string it sent. Public only because Jakarta WebSocket requires
 * endpoint classes to be. One instance per session, confined to it.
 */
public final class ChatEndpoint extends PresenceEndpoint {

  private final PresenceFanout fanout;
  private final Duration idleAfter;
  private final SocketCloses closes;

  ChatEndpoint(WebSocketPresence presence, PresenceFanout fanout, Duration idleAfter, SocketCloses closes) {
    super(presence);
    this.fanout = fanout;
    this.idleAfter = idleAfter;
    this.closes = closes;
  }

  @Override
  protected void onSessionClose(Session session, CloseReason reason) {
    closes.record(reason.getCloseCode().getCode());
  }

  /**
   * Sends the session the {@code presence_state} of everyone it shares a thread with (so that a
   * reconnecting page repaints without a database read), then {@code ready}. With a batch window
   * the state comes at the end of the window (at most one window later), and {@code ready} right
   * after it, so a client that has seen {@code ready} has its state.
   */
  @Override
  protected void onSessionOpen(Session session, EndpointConfig config, PresenceSession p) {
    var ready = JsonNodeFactory.instance.objectNode().put("type", "ready").put("user_id", p.userId());
    if (!idleAfter.isZero()) {
      ready.put("idle_after_ms", idleAfter.toMillis());
    }
    String readyText = ready.toString();
    fanout.sendState(p, text -> {
      presence().send(session, text);
      presence().send(session, readyText);
    });
  }

  @Override
  protected void onText(Session session, String text) {
    String type = PresenceMessages.typeOf(text);
    String problem = type == null
        ? "messages must be JSON objects with a string \"type\""
        : "unknown message type " + ClientText.excerpt(type) +  " (clients send pong, activity, set_status and set_metadata)";
    presence().send(session, JsonNodeFactory.instance.objectNode()
        .put("type", "error").put("error", problem).toString());
  }
}
