package dev.presence.spring;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.http.HttpHeaders;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/** A WebSocketSession that records what is sent and can block its writes, like a stuck peer. */
final class FakeSession implements WebSocketSession {
  final String id;
  final Map<String, Object> attributes = new ConcurrentHashMap<>();
  final List<WebSocketMessage<?>> sent = new CopyOnWriteArrayList<>();
  final List<String> sendingThreads = new CopyOnWriteArrayList<>();
  volatile CloseStatus closed;
  volatile Principal principal;
  /** While set, sendMessage waits for it (at most 10 s): a peer that does not read. */
  volatile CountDownLatch block;
  /** How many sendMessage calls began. */
  final java.util.concurrent.atomic.AtomicInteger entered = new java.util.concurrent.atomic.AtomicInteger();

  FakeSession(String id) {
    this.id = id;
  }

  @Override public String getId() { return id; }
  @Override public URI getUri() { return URI.create("ws://127.0.0.1/ws"); }
  @Override public HttpHeaders getHandshakeHeaders() { return new HttpHeaders(); }
  @Override public Map<String, Object> getAttributes() { return attributes; }
  @Override public Principal getPrincipal() { return principal; }
  @Override public InetSocketAddress getLocalAddress() { return null; }
  @Override public InetSocketAddress getRemoteAddress() { return null; }
  @Override public String getAcceptedProtocol() { return null; }
  @Override public void setTextMessageSizeLimit(int messageSizeLimit) {}
  @Override public int getTextMessageSizeLimit() { return 65536; }
  @Override public void setBinaryMessageSizeLimit(int messageSizeLimit) {}
  @Override public int getBinaryMessageSizeLimit() { return 65536; }
  @Override public List<WebSocketExtension> getExtensions() { return List.of(); }

  @Override
  public void sendMessage(WebSocketMessage<?> message) throws java.io.IOException {
    entered.incrementAndGet();
    CountDownLatch b = block;
    if (b != null) {
      try {
        b.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    sendingThreads.add(Thread.currentThread().getName());
    sent.add(message);
  }

  @Override public boolean isOpen() { return closed == null; }
  @Override public void close() { close(CloseStatus.NORMAL); }
  @Override public void close(CloseStatus status) { if (closed == null) { closed = status; } }
}
