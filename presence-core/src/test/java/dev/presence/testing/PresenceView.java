package dev.presence.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a client knows of others' presence after applying the server's messages in order, the way
 * presence-client.js does: {@code presence_state} replaces the map, {@code presence_diff} and
 * {@code user_status_changed} update it, anything else is ignored. Not thread-safe.
 */
public final class PresenceView {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Map<String, Boolean> online = new TreeMap<>();
  /** What the client shows of each user: {@code status} and {@code status_text}, as "busy|Call". */
  private final Map<String, String> shown = new TreeMap<>();
  private int states;
  private int diffs;
  private int resyncs;

  /** Applies every message in order and returns this view. */
  public PresenceView applyAll(Iterable<String> messages) {
    for (String m : messages) {
      apply(m);
    }
    return this;
  }

  /** Applies one message. */
  public void apply(String message) {
    JsonNode n;
    try {
      n = JSON.readTree(message);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + message, e);
    }
    switch (n.path("type").asText()) {
      case "presence_state" -> {
        states++;
        online.clear();
        shown.clear();
        for (Map.Entry<String, JsonNode> e : n.get("users").properties()) {
          online.put(e.getKey(), e.getValue().get("is_online").booleanValue());
          shown.put(e.getKey(), shown(e.getValue()));
        }
      }
      case "presence_diff" -> {
        diffs++;
        n.get("online").forEach(u -> online.put(u.textValue(), true));
        n.get("offline").forEach(u -> online.put(u.textValue(), false));
        if (n.has("users")) {
          n.get("users").properties().forEach(e -> {
            online.put(e.getKey(), e.getValue().get("is_online").booleanValue());
            shown.put(e.getKey(), shown(e.getValue()));
          });
        }
      }
      case "user_status_changed" -> {
        online.put(n.get("user_id").textValue(), n.get("is_online").booleanValue());
        shown.put(n.get("user_id").textValue(), shown(n));
      }
      case "presence_resync" -> resyncs++;
      default -> { }
    }
  }

  /** The users this client believes online. */
  public java.util.Set<String> onlineUsers() {
    java.util.Set<String> out = new java.util.TreeSet<>();
    online.forEach((u, on) -> {
      if (on) {
        out.add(u);
      }
    });
    return out;
  }

  private static String shown(JsonNode user) {
    String status = user.has("status") ? user.get("status").textValue()
        : user.get("is_online").booleanValue() ? "available" : "offline";
    return status + "|" + (user.has("status_text") ? user.get("status_text").textValue() : "");
  }

  /** What this client shows of each user it knows: "status|status_text", e.g. "busy|Call" or "offline|". */
  public Map<String, String> statuses() {
    return shown;
  }

  public Map<String, Boolean> map() {
    return online;
  }

  public int states() {
    return states;
  }

  public int diffs() {
    return diffs;
  }

  public int resyncs() {
    return resyncs;
  }
}
