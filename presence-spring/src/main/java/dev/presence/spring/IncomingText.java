package dev.presence.spring;

import dev.presence.ClientMessage;
import dev.presence.PresenceMessages;
import dev.presence.PresenceProtocol;
import dev.presence.PresenceProtocolException;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the presence messages among a session's incoming texts through core's
 * {@link PresenceProtocol}, and answers a bad (or rate-limited) one with the protocol's
 * {@code error} reply, as presence-jakarta-websocket does. Immutable, hence thread-safe.
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
   * Handles one text of a registered session.
   *
   * @param reply where an {@code error} reply goes (the session's presence queue)
   * @return true if it was a presence message (applied, or rejected and answered): the
   *     application must not see it
   */
  boolean handle(PresenceSession session, String text, Consumer<String> reply) {
    ClientMessage m;
    try {
      m = protocol.handle(registry, session, text);
    } catch (PresenceProtocolException bad) {
      LOG.debug("Rejected a {} message of user '{}'", bad.type(), session.userId());
      reply.accept(reply(bad));
      return true;
    } catch (RuntimeException e) { // the session or the registry closed meanwhile
      LOG.debug("Applying a message of session {} failed", session.sessionId(), e);
      return !(safeParse(text) instanceof ClientMessage.Other);
    }
    return !(m instanceof ClientMessage.Other);
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
