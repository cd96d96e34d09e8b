package dev.presence.websocket;

import dev.presence.ClientMessage;
import dev.presence.PresenceMessages;
import dev.presence.PresenceProtocol;
import dev.presence.PresenceProtocolException;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the presence messages among a session's incoming texts through core's {@link
 * PresenceProtocol}, and answers a bad one with the protocol's {@code error} reply (built by core
 * from a bounded message; no client text longer than core's quote limit is ever echoed).
 * Immutable, hence thread-safe.
 */
final class IncomingText {
  private static final Logger LOG = LoggerFactory.getLogger(IncomingText.class);
  /** A reply longer than this is replaced by a generic one (defence in depth: never echo much). */
  static final int MAX_REPLY_CHARS = 512;

  private final PresenceRegistry registry;
  private final PresenceProtocol protocol;

  IncomingText(PresenceRegistry registry, PresenceProtocol protocol) {
    this.registry = registry;
    this.protocol = protocol;
  }

  /**
   * Handles one text of a registered session (null if not registered, or not any more).
   *
   * @return true if it was a presence message (applied, or rejected and answered)
   */
  boolean handle(@Nullable SessionOutbound outbound, @Nullable PresenceSession session, String text) {
    if (session == null || outbound == null) {
      return isPresenceMessage(text);
    }
    ClientMessage m;
    try {
      m = protocol.handle(registry, session, text);
    } catch (PresenceProtocolException bad) {
      LOG.debug("Rejected a {} message of user '{}'", bad.type(), session.userId());
      outbound.send(reply(bad));
      return true;
    } catch (RuntimeException e) { // the session or the registry closed meanwhile
      LOG.debug("Applying a message of session {} failed", session.sessionId(), e);
      return !(safeParse(text) instanceof ClientMessage.Other);
    }
    return !(m instanceof ClientMessage.Other);
  }

  private boolean isPresenceMessage(String text) {
    return !(safeParse(text) instanceof ClientMessage.Other);
  }

  private ClientMessage safeParse(String text) {
    try {
      return protocol.parse(text);
    } catch (PresenceProtocolException bad) {
      return new ClientMessage.Activity(); // a presence message, malformed
    }
  }

  static String reply(PresenceProtocolException bad) {
    String reply = bad.reply();
    if (reply.length() <= MAX_REPLY_CHARS) {
      return reply;
    }
    return PresenceMessages.error(bad.error(), bad.type() + " message is invalid");
  }
}
