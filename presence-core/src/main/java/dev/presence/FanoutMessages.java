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
   * Returns {@code {"type":"presence_state","users":{id:{"is_online":…},…}}}.
   *
   * @param users the visible online flag of every user of the audience, in iteration order
   */
  static String state(Map<String, Boolean> users) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "presence_state");
    ObjectNode u = n.putObject("users");
    for (Map.Entry<String, Boolean> e : users.entrySet()) {
      u.set(e.getKey(), fields(e.getValue()));
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
