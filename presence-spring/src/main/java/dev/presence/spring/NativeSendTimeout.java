package dev.presence.spring;

import org.springframework.util.ClassUtils;
import org.springframework.web.socket.adapter.NativeWebSocketSession;

/**
 * Bounds the container's own blocking send on a {@code jakarta.websocket} session (Tomcat reads
 * the user property {@value #TOMCAT_BLOCKING_SEND_TIMEOUT}; its default is 20 s), so that an I/O
 * thread writing to a client that does not read is released within the send time limit. Other
 * containers ignore the property. Stateless.
 */
final class NativeSendTimeout {
  static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";
  private static final boolean JAKARTA = ClassUtils.isPresent("jakarta.websocket.Session",
      NativeSendTimeout.class.getClassLoader());

  private NativeSendTimeout() {}

  static void apply(Object session, long millis) {
    if (JAKARTA && session instanceof NativeWebSocketSession n) {
      Jakarta.apply(n, millis);
    }
  }

  /** Loaded only when jakarta.websocket is present. */
  private static final class Jakarta {
    static void apply(NativeWebSocketSession session, long millis) {
      jakarta.websocket.Session nativeSession = session.getNativeSession(jakarta.websocket.Session.class);
      if (nativeSession != null) {
        nativeSession.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT, millis);
      }
    }
  }
}
