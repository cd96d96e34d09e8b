package example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.presence.PresenceRegistry;
import dev.presence.ThreadMembership;
import dev.presence.spring.UserResolver;
import java.util.Set;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * The application's own messages: {@code {"type":"chat","thread_id":"general","text":"hi"}} goes to
 * every member of the thread. Presence (pings, pongs, status changes) is handled around it.
 */
final class ChatHandler extends TextWebSocketHandler {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final PresenceRegistry registry;
  private final ThreadMembership threads;

  ChatHandler(PresenceRegistry registry, ThreadMembership threads) {
    this.registry = registry;
    this.threads = threads;
  }

  @Override
  public void afterConnectionEstablished(WebSocketSession session) throws Exception {
    String me = (String) session.getAttributes().get(UserResolver.USER_ATTRIBUTE);
    ObjectNode ready = JSON.createObjectNode().put("type", "ready").put("user_id", me);
    ObjectNode online = ready.putObject("online");
    for (String thread : threads.threadsOf(me)) {
      Set<String> members = threads.membersOf(thread);
      for (String member : registry.onlineAmong(members)) {
        online.put(member, true);
      }
    }
    session.sendMessage(new TextMessage(JSON.writeValueAsString(ready)));
  }

  @Override
  protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
    JsonNode msg = JSON.readTree(message.getPayload());
    if (!"chat".equals(msg.path("type").asText())) {
      return;
    }
    String me = (String) session.getAttributes().get(UserResolver.USER_ATTRIBUTE);
    String thread = msg.path("thread_id").asText();
    if (!threads.membersOf(thread).contains(me)) {
      return; // not a member: ignore
    }
    String out = JSON.writeValueAsString(JSON.createObjectNode().put("type", "chat")
        .put("thread_id", thread).put("user_id", me).put("text", msg.path("text").asText()));
    for (String member : threads.membersOf(thread)) {
      registry.sendToUser(member, out); // queued per session, never blocks this thread
    }
  }

  @Override
  public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {}
}
