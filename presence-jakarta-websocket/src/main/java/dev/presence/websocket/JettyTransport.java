package dev.presence.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import dev.presence.PresenceMessages;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's own asynchronous API under its Jakarta session ({@code getCoreSession()}, Jetty 10 to
 * 12, every ee level): ping frames with {@code CoreSession.sendFrame(frame, callback, false)},
 * closes with {@code close(code, reason, callback)}, and {@code abort()}; none of them blocks.
 * Texts go through the standard asynchronous remote, which Jetty already implements without
 * blocking.
 *
 * <p>Jetty's classes are optional: this class is only loaded if {@code CoreSession} is visible
 * from this library's class loader ({@link Transport.JettyClasses}), and the host's Jetty version is the one used. Thread-safe.
 */
final class JettyTransport implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger(JettyTransport.class);
  private static final ClassValue<Optional<Method>> GETTER = new ClassValue<>() {
    @Override
    protected Optional<Method> computeValue(Class<?> type) {
      try {
        Method m = type.getMethod("getCoreSession");
        return CoreSession.class.isAssignableFrom(m.getReturnType()) ? Optional.of(m) : Optional.empty();
      } catch (NoSuchMethodException | SecurityException | LinkageError e) {
        return Optional.empty();
      }
    }
  };

  private static final ByteBuffer PING_BYTES = ByteBuffer.wrap(
      PresenceMessages.PING.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
  private static final SendResult OK = new SendResult();

  private final Session session;
  private final CoreSession core;

  private JettyTransport(Session session, CoreSession core) {
    this.session = session;
    this.core = core;
  }

  /** Returns a Jetty transport for the session, or null if it is not a Jetty session seen from here. */
  static Transport wrap(Session session) {
    Optional<Method> getter = GETTER.get(session.getClass());
    if (getter.isEmpty()) {
      return null;
    }
    try {
      Object core = getter.get().invoke(session);
      return core instanceof CoreSession coreSession ? new JettyTransport(session, coreSession) : null;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.debug("Jetty session {} has no usable core session; using the standard API",
          session.getId(), e);
      return null;
    }
  }

  @Override
  public void sendText(String text, SendHandler done) {
    session.getAsyncRemote().sendText(text, done);
  }

  /**
   * The ping frame and the JSON ping are core frames: the text's bytes are encoded once for the
   * process, and with {@link PingStyle#BOTH} the frame is batched so that both go out in one
   * write.
   */
  @Override
  public void sendHeartbeat(PingStyle style, SendHandler done) {
    Callback callback = Callback.from(() -> done.onResult(OK), x -> done.onResult(Transport.failed(x)));
    switch (style) {
      case FRAME -> core.sendFrame(new Frame(OpCode.PING), callback, false);
      case JSON -> core.sendFrame(jsonPing(), callback, false);
      default -> {
        core.sendFrame(new Frame(OpCode.PING), Callback.NOOP, true); // a failure fails the text too
        core.sendFrame(jsonPing(), callback, false);
      }
    }
  }

  private static Frame jsonPing() {
    return new Frame(OpCode.TEXT, true, PING_BYTES.asReadOnlyBuffer());
  }

  @Override
  public void close(CloseReason reason, Runnable done) {
    core.close(reason.getCloseCode().getCode(), reason.getReasonPhrase(),
        Callback.from(done, x -> done.run()));
  }

  @Override
  public void abort() {
    core.abort();
  }

  @Override
  public String kind() {
    return "jetty-core";
  }
}
