package dev.presence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
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
      u.set(e.getKey(), fields(e.getValue()));
    }
    return write(n);
  }

  /**
   * Returns one entry of a {@code presence_state}'s {@code users}: {@code "id":{…}}, the fields as
   * {@link #state} writes them. A batched fan-out builds each entry once per flush and way of
   * showing and joins them into every state of the flush.
   *
   * @param p what the recipient may see of the user (the policy applied before)
   */
  static String stateEntry(VisiblePresence p) {
    return write(JSON.getNodeFactory().textNode(p.userId())) + ":" + write(fields(p));
  }

  /**
   * Returns {@code {"type":"presence_diff","online":[…],"offline":[…],"users":{…}}}: the listed
   * entries go to {@code online} or {@code offline} by their latest flag, and every entry gets its
   * fields in {@code users} (an online user as {@link #fields(VisiblePresence)}, an offline one as
   * {@code {"is_online":false,"status":"offline","last_online":…}}), each as its {@link Shown}
   * allows.
   *
   * @param entries the users, in order
   */
  static String diff(List<Diff.Entry> entries) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "presence_diff");
    ArrayNode on = n.putArray("online");
    ArrayNode off = n.putArray("offline");
    ObjectNode users = n.putObject("users");
    for (Diff.Entry e : entries) {
      DiffWindow.Change c = e.change();
      if (e.listed()) {
        (c.latest ? on : off).add(c.userId);
      }
      users.set(c.userId, c.json(e.shown())); // built once per flush, shared by every text
    }
    return write(n);
  }

  /** The fields of one online or offline user as the recipient may see them, without its id. */
  static ObjectNode fields(VisiblePresence p) {
    ObjectNode fields = PresenceMessages.presenceFields(p);
    fields.remove("user_id");
    return fields;
  }

  /**
   * The fields of one user of a diff as {@code shown} allows: an online user as
   * {@link #fields(VisiblePresence)}, an offline one as
   * {@code {"is_online":false,"status":"offline","last_online":…}}.
   */
  static ObjectNode entry(DiffWindow.Change c, Shown shown) {
    return c.latest ? fields(shown.apply(c.fields)) : offline(c, shown);
  }

  private static ObjectNode offline(DiffWindow.Change c, Shown shown) {
    ObjectNode f = JSON.createObjectNode();
    f.put("is_online", false);
    f.put("status", Status.OFFLINE.wireName());
    if (shown.lastSeen() && c.offlineAt != null) {
      f.put("last_online", PresenceMessages.format(c.offlineAt));
    }
    return f;
  }

  private static String write(JsonNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot happen: serializing a tree of strings", e);
    }
  }
}
