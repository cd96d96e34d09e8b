package dev.presence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * The JSON messages of the wire protocol, written with Jackson so that any user id is escaped
 * correctly. Stateless, hence thread-safe.
 */
public final class PresenceMessages {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The heartbeat ping text: {@code {"type":"ping"}}. */
  public static final String PING = "{\"type\":\"ping\"}";

  /** The heartbeat answer text: {@code {"type":"pong"}}. */
  public static final String PONG = "{\"type\":\"pong\"}";

  private PresenceMessages() {}

  /**
   * Returns {@code {"type":"user_status_changed","user_id":…,"is_online":…}}.
   *
   * @param userId the user whose status changed
   * @param online the new status
   * @return the JSON text
   * @throws NullPointerException if {@code userId} is null
   */
  public static String userStatusChanged(String userId, boolean online) {
    Objects.requireNonNull(userId, "userId");
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "user_status_changed");
    n.put("user_id", userId);
    n.put("is_online", online);
    return write(n);
  }

  /**
   * Returns {@code {"type":"invitation_accepted","thread_id":…,"user_id":…,"is_online":…}}.
   *
   * @param threadId the thread the invitation was for
   * @param userId the user who accepted
   * @param online whether that user is online now
   * @return the JSON text
   * @throws NullPointerException if an id is null
   */
  public static String invitationAccepted(String threadId, String userId, boolean online) {
    Objects.requireNonNull(threadId, "threadId");
    Objects.requireNonNull(userId, "userId");
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "invitation_accepted");
    n.put("thread_id", threadId);
    n.put("user_id", userId);
    n.put("is_online", online);
    return write(n);
  }

  /**
   * Returns the {@code type} of a JSON message, without throwing on text that is not JSON.
   *
   * @param text an incoming message
   * @return the string value of its top-level {@code type} field, or null if the text is not a
   *     JSON object with a string {@code type}
   */
  public static String typeOf(String text) {
    if (text == null || text.isBlank() || text.strip().charAt(0) != '{') {
      return null;
    }
    try {
      JsonNode type = JSON.readTree(text).get("type");
      return type != null && type.isTextual() ? type.textValue() : null;
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Returns whether an incoming message is a heartbeat answer ({@code "type":"pong"}).
   *
   * @param text an incoming message
   * @return true for a pong
   */
  public static boolean isPong(String text) {
    if (PONG.equals(text)) {
      return true; // the common case, without parsing
    }
    return text != null && text.contains("pong") && "pong".equals(typeOf(text));
  }

  private static String write(ObjectNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot happen: serializing a tree of strings", e);
    }
  }
}
