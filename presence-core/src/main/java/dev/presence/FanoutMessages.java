package dev.presence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the batched fan-out: {@code presence_state}, {@code presence_diff} and
 * {@code presence_resync} (see docs/fanout.md). Stateless, hence thread-safe.
 */
final class FanoutMessages {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code {"type":"presence_resync"}}. */
  static final String RESYNC = "{\"type\":\"presence_resync\"}";

  private FanoutMessages() {}

  /**
   * Returns {@code {"type":"presence_state","users":{id:{"is_online":…,"status":…},…}}}, with
   * {@code status_text} and {@code last_active} where present (the policy applied before).
   *
   * @param users what the recipient may see of every user of its audience, in iteration order
   */
  static String state(Map<String, VisiblePresence> users) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "presence_state");
    ObjectNode u = n.putObject("users");
    for (Map.Entry<String, VisiblePresence> e : users.entrySet()) {
      ObjectNode fields = PresenceMessages.presenceFields(e.getValue());
      fields.remove("user_id");
      u.set(e.getKey(), fields);
    }
    return write(n);
  }

  /**
   * Returns {@code {"type":"presence_diff","online":[…],"offline":[…],"users":{…}}}, where
   * {@code users} carries the fields of every user in {@code online}.
   *
   * @param online users now online, in order
   * @param offline users now offline, in order
   */
  static String diff(List<String> online, List<String> offline) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "presence_diff");
    ArrayNode on = n.putArray("online");
    ArrayNode off = n.putArray("offline");
    ObjectNode users = JSON.createObjectNode();
    for (String id : online) {
      on.add(id);
      users.set(id, fields(true));
    }
    for (String id : offline) {
      off.add(id);
    }
    n.set("users", users);
    return write(n);
  }

  private static ObjectNode fields(boolean online) {
    ObjectNode f = JSON.createObjectNode();
    f.put("is_online", online);
    return f;
  }

  private static String write(ObjectNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot happen: serializing a tree of strings", e);
    }
  }
}
