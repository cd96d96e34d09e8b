package dev.presence.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.util.concurrent.Executor;

/**
 * The writes of one container session, none of which blocks its caller. The Jakarta API offers
 * only blocking calls for ping frames and closes; a transport either uses the container's own
 * asynchronous calls ({@link JettyTransport}) or runs the blocking call on a thread of its own
 * with a container-enforced time limit ({@link JakartaTransport}).
 *
 * <p>Implementations are thread-safe; the caller never has two sends in flight at once.
 */
interface Transport {
  /** Sends a text; {@code done} runs once the container wrote it or failed to. */
  void sendText(String text, SendHandler done);

  /**
   * Sends one heartbeat as {@code style} says: an empty ping frame, the JSON ping text ({@link
   * dev.presence.PresenceMessages#PING}), or both (the frame first); {@code done} runs once, when
   * all of it was written or something failed.
   */
  void sendHeartbeat(PingStyle style, SendHandler done);

  /** Starts the closing handshake; {@code done} runs once the close frame was written or failed. */
  void close(CloseReason reason, Runnable done);

  /** Drops the connection as soon as possible, without waiting on the peer. Idempotent. */
  void abort();

  /** A short name for logs and docs: "jetty-core" or "jakarta". */
  String kind();

  /**
   * The best transport for a session: the container's asynchronous API where this library knows
   * it and it is visible from here, else the standard API with the blocking calls off-thread.
   */
  static Transport of(Session session, Executor blocking, long writeTimeoutMillis) {
    Transport jetty = null;
    if (JettyClasses.VISIBLE) { // JettyTransport links against Jetty: load it only if Jetty is here
      try {
        jetty = JettyTransport.wrap(session);
      } catch (LinkageError e) {
        jetty = null; // an incompatible Jetty: the standard API still works
      }
    }
    return jetty != null ? jetty : new JakartaTransport(session, blocking, writeTimeoutMillis);
  }

  /** A failed {@link SendResult} for a write that could not even start. */
  static SendResult failed(Throwable cause) {
    return new SendResult(cause);
  }

  /** Whether Jetty's core WebSocket API is visible from this library's class loader. */
  final class JettyClasses {
    static final boolean VISIBLE = visible();

    private JettyClasses() {}

    private static boolean visible() {
      try {
        ClassLoader loader = Transport.class.getClassLoader();
        Class.forName("org.eclipse.jetty.websocket.core.CoreSession", false, loader);
        Class.forName("org.eclipse.jetty.websocket.core.Frame", false, loader);
        Class.forName("org.eclipse.jetty.util.Callback", false, loader);
        return true;
      } catch (ClassNotFoundException | LinkageError e) {
        return false;
      }
    }
  }
}
