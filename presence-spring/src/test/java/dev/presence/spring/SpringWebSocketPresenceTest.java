package dev.presence.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.presence.DisconnectReason;
import dev.presence.PresenceRegistry;
import dev.presence.test.FakeTime;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

class SpringWebSocketPresenceTest {
  private final FakeTime time = new FakeTime();
  private final PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat().build();
  private final SpringWebSocketPresence presence = SpringWebSocketPresence.builder(registry)
      .sendTimeLimit(Duration.ofSeconds(2)).sendBufferSizeLimit(1000).ticker(time).build();
  private final List<String> appReceived = new CopyOnWriteArrayList<>();
  private final List<WebSocketSession> appSessions = new CopyOnWriteArrayList<>();
  private final WebSocketHandler handler = presence.decorate(new AbstractWebSocketHandler() {
    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
      appSessions.add(session);
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
      appReceived.add(message.getPayload());
    }
  });

  @AfterEach
  void close() {
    registry.close();
    presence.close();
  }

  private FakeSession open(String user, String id) throws Exception {
    FakeSession s = new FakeSession(id);
    s.attributes.put(UserResolver.USER_ATTRIBUTE, user);
    handler.afterConnectionEstablished(s);
    return s;
  }

  @Test
  void sessionWithoutUser_isClosedWith1008_andNeverReachesTheApplication() throws Exception {
    FakeSession s = new FakeSession("s1");
    handler.afterConnectionEstablished(s);
    handler.handleMessage(s, new TextMessage("hello"));

    assertThat(s.closed).isEqualTo(CloseStatus.POLICY_VIOLATION.withReason("unauthenticated"));
    assertThat(appSessions).isEmpty();
    assertThat(appReceived).isEmpty();
    assertThat(presence.refusedCount()).isEqualTo(1);
  }

  @Test
  void principal_isTheUserWhenNoAttributeIsSet() throws Exception {
    FakeSession s = new FakeSession("s1");
    s.principal = () -> "pat";
    handler.afterConnectionEstablished(s);
    assertThat(registry.isOnline("pat")).isTrue();
  }

  @Test
  void applicationGetsTheDecoratedSession_andTextsButNoPongs() throws Exception {
    FakeSession s = open("ann", "s1");
    handler.handleMessage(s, new PongMessage(ByteBuffer.allocate(0)));
    handler.handleMessage(s, new TextMessage("{\"type\":\"pong\"}"));
    handler.handleMessage(s, new TextMessage("{\"type\":\"chat\"}"));

    assertThat(appSessions).singleElement().isNotSameAs(s);
    assertThat(appReceived).containsExactly("{\"type\":\"chat\"}");
  }

  @Test
  void textsGoOutInOrder_offTheCallersThread() throws Exception {
    FakeSession s = open("ann", "s1");
    // 200 short texts stay under the 1000-character buffer limit even if none is written yet
    for (int i = 0; i < 200; i++) {
      registry.sendToUser("ann", "m" + i);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> s.sent.size() == 200);
    assertThat(s.sent).extracting(m -> (String) m.getPayload())
        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 200).mapToObj(i -> "m" + i).toList());
    assertThat(s.sendingThreads).allMatch(t -> t.startsWith("presence-spring-io-"));
    assertThat(presence.sentCount()).isEqualTo(200);
  }

  @Test
  void writeBlockedLongerThanTheSendTimeLimit_endsTheClientAtTheNextPing() throws Exception {
    FakeSession stuck = open("bob", "s1");
    stuck.block = new CountDownLatch(1);
    registry.sendToUser("bob", "first");
    SessionOutbound outbound = SpringWebSocketPresence.outboundOf(stuck);
    await().atMost(Duration.ofSeconds(5)).until(() -> stuck.entered.get() == 1);

    time.advance(Duration.ofMillis(1999));
    outbound.ping();
    assertThat(registry.isOnline("bob")).as("within the limit").isTrue();

    time.advance(Duration.ofMillis(2));
    outbound.ping();
    assertThat(registry.isOnline("bob")).isFalse();
    await().atMost(Duration.ofSeconds(5)).until(() -> stuck.closed != null);
    assertThat(stuck.closed).isEqualTo(CloseStatus.POLICY_VIOLATION.withReason("slow consumer"));
    assertThat(presence.slowConsumerCount()).isEqualTo(1);
    assertThat(registry.stats().ended(DisconnectReason.SLOW_CONSUMER)).isEqualTo(1);
    stuck.block.countDown();
  }

  @Test
  void moreTextThanTheBufferLimit_endsTheClient_withoutBlockingTheSender() throws Exception {
    FakeSession stuck = open("bob", "s1");
    FakeSession other = open("cat", "s2");
    stuck.block = new CountDownLatch(1);
    String text = "x".repeat(300);
    for (int i = 0; i < 10; i++) {
      registry.sendToUser("bob", text); // returns at once: nothing runs on this thread
    }
    assertThat(registry.isOnline("bob")).isFalse();
    assertThat(presence.endedCount(DisconnectReason.SLOW_CONSUMER)).isEqualTo(1);

    registry.sendToUser("cat", "hello");
    await().atMost(Duration.ofSeconds(5)).until(() -> other.sent.size() == 1);
    stuck.block.countDown();
  }

  @Test
  void closedSocket_endsThePresence_andRegistryEvictionClosesTheSocket() throws Exception {
    FakeSession a = open("dan", "s1");
    FakeSession b = open("dan", "s2");
    handler.afterConnectionClosed(a, CloseStatus.GOING_AWAY);
    assertThat(registry.sessionCount("dan")).isEqualTo(1);

    registry.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> b.closed != null);
    assertThat(b.closed).isEqualTo(CloseStatus.GOING_AWAY.withReason("server shutting down"));
    assertThat(presence.endedCount(DisconnectReason.CLOSED)).isEqualTo(1);
    assertThat(presence.endedCount(DisconnectReason.REGISTRY_CLOSED)).isEqualTo(1);
  }

  @Test
  void transportError_endsThePresenceWithErrorAndClosesTheSocket() throws Exception {
    FakeSession s = open("eli", "s1");
    handler.handleTransportError(s, new java.io.IOException("connection reset"));
    assertThat(registry.isOnline("eli")).isFalse();
    assertThat(registry.stats().ended(DisconnectReason.ERROR)).isEqualTo(1);
    assertThat(presence.endedCount(DisconnectReason.ERROR)).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> s.closed != null);
    assertThat(s.closed.getCode()).isEqualTo(1011);
  }

  @Test
  void builder_validatesAndNamesTheSetting() {
    SpringWebSocketPresence.Builder b = SpringWebSocketPresence.builder(registry);
    assertThatThrownBy(() -> b.sendTimeLimit(Duration.ZERO))
        .hasMessage("sendTimeLimit must be at least 1 ms: PT0S");
    assertThatThrownBy(() -> b.sendBufferSizeLimit(0)).hasMessage("sendBufferSizeLimit must be positive: 0");
    assertThatThrownBy(() -> b.ioThreads(-1)).hasMessage("ioThreads must be positive: -1");
    assertThatThrownBy(() -> b.userResolver(null)).hasMessage("userResolver");
  }
}
