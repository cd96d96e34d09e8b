package dev.presence.websocket;

import dev.presence.PresenceSession;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.util.Objects;

/**
 * A programmatic {@link Endpoint} with presence built in: it registers each session, records
 * every text message and pong as a sign of life, applies the client's presence messages ({@code
 * pong}, {@code activity}, {@code set_status}, {@code set_metadata}; see {@link
 * WebSocketPresence#onText}), and ends the presence on close and error. Subclasses receive the
 * other texts in {@link #onText}.
 *
 * <p>The container creates one instance per session (with the default configurator), so an
 * instance is confined to its session; the {@link WebSocketPresence} it uses is thread-safe.
 */
public abstract class PresenceEndpoint extends Endpoint {
  private final WebSocketPresence presence;

  /**
   * Creates the endpoint.
   *
   * @param presence the shared presence integration
   * @throws NullPointerException if {@code presence} is null
   */
  protected PresenceEndpoint(WebSocketPresence presence) {
    this.presence = Objects.requireNonNull(presence, "presence");
  }

  /**
   * Registers the session (or refuses it, see {@link WebSocketPresence#onOpen}), installs the
   * text handler, then calls {@link #onSessionOpen}.
   *
   * @param session the new session
   * @param config its configuration
   */
  @Override
  public final void onOpen(Session session, EndpointConfig config) {
    PresenceSession p = presence.onOpen(session, config);
    if (p == null) {
      return;
    }
    try {
      session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
        if (!presence.onText(session, text)) {
          onText(session, text);
        }
      });
    } catch (IllegalStateException closedMeanwhile) {
      presence.onClose(session); // e.g. a slow consumer ended while connecting: never throw here
      return;
    }
    onSessionOpen(session, config, p);
  }

  /**
   * Ends the presence, then calls {@link #onSessionClose}.
   *
   * @param session the closed session
   * @param reason the close reason
   */
  @Override
  public final void onClose(Session session, CloseReason reason) {
    presence.onClose(session);
    onSessionClose(session, reason);
  }

  /**
   * Ends the presence, then calls {@link #onSessionError}.
   *
   * @param session the session
   * @param error what went wrong
   */
  @Override
  public final void onError(Session session, Throwable error) {
    presence.onError(session, error);
    onSessionError(session, error);
  }

  /**
   * Returns the presence integration, e.g. to {@link WebSocketPresence#send send} through the
   * session's queue.
   *
   * @return the presence integration given to the constructor
   */
  protected final WebSocketPresence presence() {
    return presence;
  }

  /**
   * Called after a session was registered. Refused sessions never get here. Default: nothing.
   *
   * @param session the session
   * @param config its configuration
   * @param presenceSession its registration
   */
  protected void onSessionOpen(Session session, EndpointConfig config,
      PresenceSession presenceSession) {}

  /**
   * Called for every incoming text except the presence messages, which the integration applies
   * (or answers with an {@code error}). Default: nothing.
   *
   * @param session the session
   * @param text the message
   */
  protected void onText(Session session, String text) {}

  /**
   * Called after the session's presence ended on close. Default: nothing.
   *
   * @param session the session
   * @param reason the close reason
   */
  protected void onSessionClose(Session session, CloseReason reason) {}

  /**
   * Called after the session's presence ended on an error. Default: nothing.
   *
   * @param session the session
   * @param error what went wrong
   */
  protected void onSessionError(Session session, Throwable error) {}
}
