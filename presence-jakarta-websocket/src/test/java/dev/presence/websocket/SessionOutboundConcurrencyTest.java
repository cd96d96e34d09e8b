package dev.presence.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.PresenceRegistry;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The per-session writer against a transport that completes writes in every way a container may:
 * inline on the sending thread, on another thread later, and on another thread while the send
 * call has not returned yet. The transport is a {@link Proxy} of the two Jakarta interfaces; the
 * containers themselves are exercised by {@code PresenceContainerSuite}.
 */
class SessionOutboundConcurrencyTest {
  private final PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat().build();
  private final WebSocketPresence presence = WebSocketPresence.builder(registry).build();
  private final ExecutorService completer = Executors.newFixedThreadPool(2);

  @AfterEach
  void close() {
    completer.shutdownNow();
    presence.close();
    registry.close();
  }

  @RepeatedTest(10)
  void concurrentSenders_neverHaveTwoWritesInFlight_andLoseNothing() throws Exception {
    FakeTransport transport = new FakeTransport(completer);
    Session session = transport.session();
    SessionOutbound outbound = new SessionOutbound(session, "alice", presence,
        Transport.of(session, presence.io(), 10_000), PingStyle.JSON, 100_000, Long.MAX_VALUE,
        Duration.ofSeconds(10));
    int senders = 4;
    int each = 500;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    try {
      for (int t = 0; t < senders; t++) {
        int sender = t;
        pool.execute(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int n = 0; n < each; n++) {
            outbound.send(sender + ":" + n);
            if (n % 50 == 0) {
              outbound.ping();
            }
          }
        });
      }
      go.countDown();
    } finally {
      pool.shutdown();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> transport.texts.stream()
        .filter(m -> !m.startsWith("{")).count() == (long) senders * each);
    await().atMost(Duration.ofSeconds(5)).until(() -> outbound.pendingTexts() == 0);

    assertThat(transport.maxInFlight.get()).isEqualTo(1);
    for (int t = 0; t < senders; t++) {
      String prefix = t + ":";
      assertThat(transport.texts.stream().filter(m -> m.startsWith(prefix)))
          .containsExactlyElementsOf(IntStream.range(0, each).mapToObj(n -> prefix + n).toList());
    }
    assertThat(transport.modes).containsKeys("inline", "later", "racing");
  }

  /** Records writes and completes each one inline, later, or racing the sender. */
  static final class FakeTransport {
    final List<String> texts = new CopyOnWriteArrayList<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final Map<String, AtomicInteger> modes = new ConcurrentHashMap<>();
    private final ExecutorService completer;
    private final Map<String, Object> userProperties = new ConcurrentHashMap<>();

    FakeTransport(ExecutorService completer) {
      this.completer = completer;
    }

    private void sendText(String text, SendHandler handler) throws InterruptedException {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      texts.add(text);
      switch (ThreadLocalRandom.current().nextInt(3)) {
        case 0 -> {
          count("inline");
          complete(handler);
        }
        case 1 -> {
          count("later");
          completer.execute(() -> complete(handler));
        }
        default -> {
          count("racing"); // completes on another thread before this call returns
          CountDownLatch done = new CountDownLatch(1);
          completer.execute(() -> {
            complete(handler);
            done.countDown();
          });
          done.await();
        }
      }
    }

    private void complete(SendHandler handler) {
      inFlight.decrementAndGet();
      handler.onResult(new SendResult());
    }

    private void count(String mode) {
      modes.computeIfAbsent(mode, k -> new AtomicInteger()).incrementAndGet();
    }

    Session session() {
      RemoteEndpoint.Async async = (RemoteEndpoint.Async) Proxy.newProxyInstance(
          getClass().getClassLoader(), new Class<?>[] {RemoteEndpoint.Async.class},
          (proxy, method, args) -> {
            if (method.getName().equals("sendText") && args.length == 2) {
              sendText((String) args[0], (SendHandler) args[1]);
              return null;
            }
            throw new UnsupportedOperationException(method.getName());
          });
      return (Session) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {Session.class}, (proxy, method, args) -> {
            return switch (method.getName()) {
              case "getAsyncRemote" -> async;
              case "getId" -> "fake";
              case "isOpen" -> true;
              case "getUserProperties" -> userProperties;
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == args[0];
              case "toString" -> "FakeSession";
              default -> throw new UnsupportedOperationException(method.getName());
            };
          });
    }
  }
}
