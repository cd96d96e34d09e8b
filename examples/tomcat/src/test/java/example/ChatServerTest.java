package example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Starts the example, connects two users, and sees one told that the other came online. */
class ChatServerTest {
  private static final Map<String, String> TOKENS = Map.of("t-alice", "alice", "t-bob", "bob");
  private static final Map<String, Set<String>> FRIENDS = Map.of("alice", Set.of("bob"), "bob", Set.of("alice"));

  @Test
  void friendComingOnline_isToldToTheOtherFriend() throws Exception {
    try (ChatServer server = ChatServer.start(0, TOKENS::get, u -> FRIENDS.getOrDefault(u, Set.of()))) {
      HttpClient http = HttpClient.newHttpClient();
      BlockingQueue<String> bobHears = new LinkedBlockingQueue<>();
      WebSocket bob = connect(http, server.port(), "t-bob", bobHears);
      awaitOnline(server, "bob");
      WebSocket alice = connect(http, server.port(), "t-alice", new LinkedBlockingQueue<>());

      String message = nextStatusChange(bobHears);
      assertTrue(message.startsWith("{\"type\":\"user_status_changed\",\"user_id\":\"alice\",\"is_online\":true,"),
          message);
      assertTrue(message.contains("\"status\":\"available\""), message);
      alice.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
      assertTrue(nextStatusChange(bobHears).contains("\"is_online\":false"));
      bob.abort();
    }
  }

  private static WebSocket connect(HttpClient http, int port, String token, BlockingQueue<String> into)
      throws Exception {
    return http.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            into.add(data.toString());
            ws.request(1);
            return null;
          }
        })
        .get(10, TimeUnit.SECONDS);
  }

  private static void awaitOnline(ChatServer server, String user) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!server.registry().isOnline(user)) {
      assertTrue(System.nanoTime() < deadline, user + " did not come online within 10 s");
      Thread.sleep(10);
    }
  }

  /** The next message that is not a heartbeat ping, waiting at most 10 s. */
  private static String nextStatusChange(BlockingQueue<String> messages) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (;;) {
      String m = messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertTrue(m != null, "no status message within 10 s");
      if (m.contains("user_status_changed")) {
        return m;
      }
    }
  }
}
