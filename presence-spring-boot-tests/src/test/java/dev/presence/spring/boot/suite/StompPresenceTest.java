package dev.presence.spring.boot.suite;

import static dev.presence.spring.boot.suite.Clients.statusChanged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.PresenceRegistry;
import dev.presence.spring.boot.suite.Clients.WsClient;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.messaging.converter.StringMessageConverter;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.messaging.WebSocketStompClient;

/** The STOMP application, exercised by Spring's STOMP client and a raw WebSocket client. */
@SpringBootTest(classes = StompApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "presence.heartbeat-interval=200ms",
        "presence.heartbeat-timeout=1s",
        "server.address=127.0.0.1"})
class StompPresenceTest {
  @Autowired PresenceRegistry registry;
  @Autowired Environment env;

  private ThreadPoolTaskScheduler scheduler;
  private WebSocketStompClient stomp;
  private final List<StompSession> sessions = new CopyOnWriteArrayList<>();

  @BeforeEach
  void client() {
    scheduler = new ThreadPoolTaskScheduler();
    scheduler.setPoolSize(2);
    scheduler.initialize();
    stomp = new WebSocketStompClient(new StandardWebSocketClient());
    stomp.setMessageConverter(new StringMessageConverter());
    stomp.setTaskScheduler(scheduler);
    stomp.setDefaultHeartbeat(new long[] {100, 100});
  }

  @AfterEach
  void close() {
    sessions.forEach(s -> {
      if (s.isConnected()) {
        s.disconnect();
      }
    });
    scheduler.shutdown();
  }

  private String url(String user) {
    return "ws://127.0.0.1:" + TestSupport.port(env) + "/stomp?access_token=t-" + user;
  }

  /** Connects, subscribes to /user/queue/presence, and waits until the subscription works. */
  private List<String> connectAndListen(String user) throws Exception {
    StompSession s = stomp.connectAsync(url(user), new StompSessionHandlerAdapter() {})
        .get(5, TimeUnit.SECONDS);
    sessions.add(s);
    List<String> received = new CopyOnWriteArrayList<>();
    s.subscribe("/user/queue/presence", new StompFrameHandler() {
      @Override
      public Type getPayloadType(StompHeaders headers) {
        return String.class;
      }

      @Override
      public void handleFrame(StompHeaders headers, Object payload) {
        received.add((String) payload);
      }
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.isOnline(user));
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
      registry.sendToUser(user, "{\"type\":\"probe\"}");
      return received.stream().anyMatch(t -> t.contains("probe"));
    });
    return received;
  }

  @Test
  void stompOnlineAndOffline_reachCoMember() throws Exception {
    List<String> alice = connectAndListen("s1-alice");
    StompSession bob = stomp.connectAsync(url("s1-bob"), new StompSessionHandlerAdapter() {})
        .get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() ->
        alice.stream().anyMatch(t -> t.contains(statusChanged("s1-bob", true))));

    bob.disconnect();
    await().atMost(Duration.ofSeconds(5)).until(() ->
        alice.stream().anyMatch(t -> t.contains(statusChanged("s1-bob", false))));
    assertThat(registry.isOnline("s1-bob")).isFalse();
  }

  @Test
  void setStatusSentToAppPresence_reachesTheCoMember_andABadOneGetsAnError() throws Exception {
    List<String> alice = connectAndListen("s4-alice");
    List<String> bob = connectAndListen("s4-bob");
    StompSession bobSession = sessions.get(sessions.size() - 1);
    await().atMost(Duration.ofSeconds(5)).until(() ->
        alice.stream().anyMatch(t -> t.contains(statusChanged("s4-bob", true))));

    bobSession.send("/app/presence", "{\"type\":\"set_status\",\"availability\":\"busy\",\"status_text\":\"In a meeting\"}");
    await().atMost(Duration.ofSeconds(5)).until(() -> alice.stream().anyMatch(t ->
        t.contains(statusChanged("s4-bob", true) + ",\"status\":\"busy\",\"status_text\":\"In a meeting\"")));
    await().atMost(Duration.ofSeconds(5)).until(() -> bob.stream().anyMatch(t -> t.contains("\"type\":\"self_status\"")));

    bobSession.send("/app/presence", "{\"type\":\"set_status\",\"availability\":\"gone\"}");
    await().atMost(Duration.ofSeconds(5)).until(() -> bob.stream().anyMatch(t -> t.contains("\"type\":\"error\"")));
    assertThat(bob).filteredOn(t -> t.contains("\"type\":\"error\"")).containsExactly(
        "{\"type\":\"error\",\"error\":\"bad_request\",\"message\":\"availability must be one of available, busy, away, invisible: 'gone'\"}");
    assertThat(registry.presenceOf("s4-bob").orElseThrow().availability()).isEqualTo(dev.presence.Availability.BUSY);
  }

  @Test
  void stompClientWhoseHeartbeatsStop_isDisconnectedAndGoesOffline() throws Exception {
    List<String> alice = connectAndListen("s2-alice");
    // a STOMP client that promises heart-beats every 100 ms, then falls silent
    WsClient mute = WsClient.connect(url("s2-mute"));
    mute.send("CONNECT\naccept-version:1.2\nhost:127.0.0.1\nheart-beat:100,0\n\n\0");
    await().atMost(Duration.ofSeconds(5)).until(() -> mute.received("CONNECTED"));
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.isOnline("s2-mute"));
    long start = System.nanoTime();

    await().atMost(Duration.ofSeconds(5)).until(() -> mute.closed != null);
    await().atMost(Duration.ofSeconds(5)).until(() -> !registry.isOnline("s2-mute"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    await().atMost(Duration.ofSeconds(5)).until(() ->
        alice.stream().anyMatch(t -> t.contains(statusChanged("s2-mute", false))));
  }

  @Test
  void stompClientWithHeartbeats_staysOnline() throws Exception {
    connectAndListen("s3-carol");
    // several heartbeat timeouts of the registry (1 s) pass; client heart-beats keep it alive
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
    await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(100)).until(() -> {
      assertThat(registry.isOnline("s3-carol")).isTrue();
      return System.nanoTime() > until;
    });
  }
}
