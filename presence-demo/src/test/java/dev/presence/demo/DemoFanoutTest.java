package dev.presence.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demo with a batch window: every session gets a {@code presence_state} on connect, changes
 * arrive as {@code presence_diff}, and stopping the server tells nobody that everyone went
 * offline.
 */
@ExtendWith(ErrorLogGuard.class)
class DemoFanoutTest {

  private static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20));
  }

  private static List<String> ids(JsonNode diff, String list) {
    List<String> out = new ArrayList<>();
    diff.get(list).forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void aConnectingSession_getsTheState_thenChangesComeAsOneDiffPerWindow() throws Exception {
    try (DemoServer demo = DemoServer.start(DemoOptions.parse("--port", "0", "--batch-window", "300ms"))) {
      DemoClient c = new DemoClient(demo.uri());
      String ta = c.login("alice");
      String tb = c.login("bob");
      String tc = c.login("carol");
      String td = c.login("dave");
      c.createThread(ta, "Room", "bob", "carol", "dave");
      try (TestSocket bob = c.connect(tb); TestSocket alice = c.connect(ta)) {
        eventually().until(() -> alice.ofType("presence_state").size() == 1);
        JsonNode state = alice.ofType("presence_state").get(0).get("users");
        assertThat(state.get("bob").get("is_online").asBoolean()).isTrue();
        assertThat(state.get("carol").get("is_online").asBoolean()).isFalse();
        assertThat(state.has("alice")).as("never the recipient itself").isFalse();
        eventually().until(() -> bob.ofType("presence_diff").stream()
            .anyMatch(d -> ids(d, "online").contains("alice")));

        TestSocket carol = c.connect(tc);
        TestSocket dave = c.connect(td);
        // connect returns at "ready", which comes after the state at the end of a window: carol
        // and dave come online in different windows
        eventually().until(() -> alice.ofType("presence_diff").stream()
            .flatMap(d -> ids(d, "online").stream()).toList().containsAll(List.of("carol", "dave")));
        assertThat(alice.ofType("user_status_changed")).isEmpty();
        carol.leave();
        dave.leave();
        eventually().until(() -> alice.ofType("presence_diff").stream()
            .anyMatch(d -> ids(d, "offline").contains("carol")));
      }
    }
  }

  @Test
  void stoppingTheServer_sendsNoOfflineMessages_onlyCloses() throws Exception {
    List<TestSocket> sockets = new ArrayList<>();
    DemoServer demo = DemoServer.start(DemoOptions.parse("--port", "0", "--batch-window", "0"));
    try {
      DemoClient c = new DemoClient(demo.uri());
      List<String> tokens = new ArrayList<>();
      List<String> users = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        users.add("member" + i);
        tokens.add(c.login("member" + i));
      }
      c.createThread(tokens.get(0), "Everyone", users.subList(1, users.size()).toArray(String[]::new));
      for (String t : tokens) {
        sockets.add(c.connect(t));
      }
      eventually().until(() -> sockets.get(0).statusesOf("member19").equals(List.of(true)));
    } finally {
      demo.close();
    }
    eventually().until(() -> sockets.stream().allMatch(s -> s.closed.isDone()));
    for (TestSocket s : sockets) {
      assertThat(s.ofType("user_status_changed").stream().filter(m -> !m.get("is_online").asBoolean()))
          .as("offline messages while stopping").isEmpty();
    }
  }
}
