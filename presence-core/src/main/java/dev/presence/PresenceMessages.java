package dev.presence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The JSON messages of the wire protocol, written with Jackson so that any user id is escaped
 * correctly. Stateless, hence thread-safe.
 */
public final class PresenceMessages {
  /**
   * Holds the mapper, so that {@link #isPong}'s common case (and the constants) never wait for
   * Jackson's initialization: on a loaded machine a first message built on one thread would
   * otherwise hold up every connection thread answering a heartbeat for as long as that takes.
   */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

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
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("type", "user_status_changed");
    n.put("user_id", userId);
    n.put("is_online", online);
    return write(n);
  }

  /**
   * Returns {@code {"type":"user_status_changed","user_id":…,"is_online":…,"status":…}} with
   * {@code status_text} and {@code last_active} when present in {@code presence} (which is what
   * the recipient may see: the policy is applied before).
   *
   * @param presence what the recipient may see of the user
   * @return the JSON text
   * @throws NullPointerException if {@code presence} is null
   */
  public static String userStatusChanged(VisiblePresence presence) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("type", "user_status_changed");
    return write(putPresence(n, presence));
  }

  /**
   * Returns the presence fields of one user as a new JSON object, for messages that carry many
   * users: {@code {"user_id":…,"is_online":…,"status":…,"status_text":…,"last_active":…}}, the
   * last two only when present.
   *
   * @param presence what the recipient may see of the user
   * @return a new object node owned by the caller
   * @throws NullPointerException if {@code presence} is null
   */
  public static ObjectNode presenceFields(VisiblePresence presence) {
    return putPresence(Json.MAPPER.createObjectNode(), presence);
  }

  private static ObjectNode putPresence(ObjectNode n, VisiblePresence p) {
    Objects.requireNonNull(p, "presence");
    n.put("user_id", p.userId());
    n.put("is_online", p.online());
    n.put("status", p.status().wireName());
    if (p.statusText() != null) {
      n.put("status_text", p.statusText().text());
    }
    if (p.lastActive() != null) {
      n.put("last_active", format(p.lastActive()));
    }
    return n;
  }

  /**
   * Returns what a user's own sessions are told of their own presence: {@code
   * {"type":"self_status","availability":…,"status":…,"status_text":…,"expires_at":…}}, where
   * {@code status} is what others see (offline while invisible) and the last two are present only
   * when the user has a status text (and it an expiry).
   *
   * @param presence the user's raw presence
   * @return the JSON text
   * @throws NullPointerException if {@code presence} is null
   */
  public static String selfStatus(UserPresence presence) {
    Objects.requireNonNull(presence, "presence");
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("type", "self_status");
    n.put("availability", presence.availability().wireName());
    n.put("status", presence.status().wireName());
    StatusText t = presence.statusText();
    if (t != null) {
      n.put("status_text", t.text());
      if (t.expiresAt() != null) {
        n.put("expires_at", format(t.expiresAt()));
      }
    }
    return write(n);
  }

  /**
   * Returns {@code {"type":"error","error":…,"message":…}}, the answer to a bad client message.
   *
   * @param error a short machine-readable code such as {@code bad_request}
   * @param message a human-readable description; cut to 300 code points
   * @return the JSON text
   * @throws NullPointerException if an argument is null
   */
  public static String error(String error, String message) {
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(message, "message");
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("type", "error");
    n.put("error", error);
    n.put("message", TextRules.printable(message, 300));
    return write(n);
  }

  /**
   * Returns {@code {"type":"invitation_accepted","thread_id":…,"user_id":…,"is_online":…,
   * "status":…}} (with {@code status_text} and {@code last_active} when present), telling a
   * recipient what they may see of the user who accepted.
   *
   * @param threadId the thread the invitation was for
   * @param presence what the recipient may see of the user who accepted
   * @return the JSON text
   * @throws NullPointerException if an argument is null
   */
  public static String invitationAccepted(String threadId, VisiblePresence presence) {
    Objects.requireNonNull(threadId, "threadId");
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("type", "invitation_accepted");
    n.put("thread_id", threadId);
    return write(putPresence(n, presence));
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
    ObjectNode n = Json.MAPPER.createObjectNode();
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
  public static @Nullable String typeOf(String text) {
    if (text == null || text.isBlank() || text.strip().charAt(0) != '{') {
      return null;
    }
    try {
      JsonNode type = Json.MAPPER.readTree(text).get("type");
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

  /** ISO-8601 UTC to the millisecond, as every time on the wire. */
  static String format(Instant at) {
    return DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.MILLIS));
  }

  private static String write(ObjectNode n) {
    try {
      return Json.MAPPER.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot happen: serializing a tree of strings", e);
    }
  }
}
