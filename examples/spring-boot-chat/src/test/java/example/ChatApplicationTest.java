package example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.PresenceRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.handler.TextWebSocketHandler;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "server.address=127.0.0.1")
class ChatApplicationTest {
  @Autowired PresenceRegistry registry;
  @Autowired Environment env;

  @Test
  void bobSeesAliceComeOnline() throws Exception {
    String base = "ws://127.0.0.1:" + env.getRequiredProperty("local.server.port") + "/chat?access_token=demo-";
    List<String> bobGot = new CopyOnWriteArrayList<>();
    WebSocketSession bob = new StandardWebSocketClient().execute(new TextWebSocketHandler() {
      @Override
      protected void handleTextMessage(WebSocketSession s, TextMessage m) {
        bobGot.add(m.getPayload());
      }
    }, base + "bob").get(5, TimeUnit.SECONDS);
    WebSocketSession alice = new StandardWebSocketClient().execute(new TextWebSocketHandler() {},
        base + "alice").get(5, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(5)).until(() ->
        bobGot.stream().anyMatch(t -> t.contains("\"user_id\":\"alice\",\"is_online\":true")));
    assertThat(registry.isOnline("alice")).isTrue();
    alice.close();
    bob.close();
  }
}
