package dev.presence.websocket;

import dev.presence.PresenceMessages;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standard API: texts with {@code getAsyncRemote().sendText(text, handler)}; ping frames and
 * closes, which the API offers only as blocking calls, on the {@code blocking} executor (one
 * thread per call in flight, never a shared thread waiting on a peer).
 *
 * <p>The blocking calls are bounded by the container: Tomcat reads the user property {@value
 * #TOMCAT_BLOCKING_SEND_TIMEOUT} (milliseconds) on every blocking send; this transport sets it to
 * twice {@code writeTimeout}, so a ping or close to a peer that does not read returns by then
 * even if the watchdog (which ends the session at {@code writeTimeout}) were late, and Tomcat
 * closes the connection. {@link #abort()} lowers it to one millisecond and closes: Tomcat
 * then gives up on the close frame at once and closes the socket, which fails any write still in
 * flight. Containers that ignore the property are bounded only by their own timeouts; presence
 * is ended by the watchdog at {@code writeTimeout} either way.
 *
 * <p>Thread-safe. Keeps the session's user-property map from the start, since a closed Tomcat
 * session throws on {@code getUserProperties()}.
 */
final class JakartaTransport implements Transport {
  /** Tomcat's per-session limit for blocking sends, in milliseconds (a {@code Long}). */
  static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";
  private static final Logger LOG = LoggerFactory.getLogger(JakartaTransport.class);
  private static final CloseReason ABORTED = new CloseReason(CloseCodes.VIOLATED_POLICY, "slow consumer");

  private final Session session;
  private final String id;
  private final Executor blocking;
  private final Map<String, Object> userProperties;
  private final AtomicBoolean aborted = new AtomicBoolean();

  JakartaTransport(Session session, Executor blocking, long writeTimeoutMillis) {
    this.session = session;
    this.id = session.getId();
    this.blocking = blocking;
    this.userProperties = session.getUserProperties();
    // Twice the write timeout: a safety net. The watchdog ends a stuck session at writeTimeout
    // (plus its tick) and then aborts it, which unblocks the call at once.
    userProperties.put(TOMCAT_BLOCKING_SEND_TIMEOUT, Long.valueOf(2 * writeTimeoutMillis));
  }

  @Override
  public void sendText(String text, SendHandler done) {
    session.getAsyncRemote().sendText(text, done);
  }

  @Override
  public void sendHeartbeat(PingStyle style, SendHandler done) {
    switch (style) {
      case FRAME -> sendPing(done);
      case JSON -> sendText(PresenceMessages.PING, done);
      default -> sendPing(result -> {
        if (result.isOK()) {
          sendText(PresenceMessages.PING, done);
        } else {
          done.onResult(result);
        }
      });
    }
  }

  private void sendPing(SendHandler done) {
    run(() -> {
      SendResult result;
      try {
        session.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
        result = new SendResult();
      } catch (Exception | LinkageError e) {
        result = Transport.failed(e);
      }
      done.onResult(result);
    }, () -> done.onResult(Transport.failed(new RejectedExecutionException("executor closed"))));
  }

  @Override
  public void close(CloseReason reason, Runnable done) {
    run(() -> {
      try {
        session.close(reason);
      } catch (Exception e) {
        LOG.debug("Closing WebSocket session {} failed", id, e);
      } finally {
        done.run();
      }
    }, done);
  }

  @Override
  public void abort() {
    if (!aborted.compareAndSet(false, true)) {
      return;
    }
    userProperties.put(TOMCAT_BLOCKING_SEND_TIMEOUT, Long.valueOf(1));
    run(() -> {
      try {
        session.close(ABORTED);
      } catch (Exception e) {
        LOG.debug("Aborting WebSocket session {} failed", id, e);
      }
    }, () -> { });
  }

  @Override
  public String kind() {
    return "jakarta";
  }

  private void run(Runnable task, Runnable rejected) {
    try {
      blocking.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.debug("Presence I/O executor rejected work for WebSocket session {}", id, e);
      rejected.run();
    }
  }
}
