package dev.presence;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client → server side of the presence protocol: reads one text message and tells a
 * presence message ({@code pong}, {@code activity}, {@code set_status}, {@code set_metadata})
 * from the host's own messages. Adapters call it for every incoming text so that every host
 * answers alike; docs/protocol.md describes the messages.
 *
 * <p>Bounded input: only the top-level {@code type} of a message is looked at until it is known
 * to be a presence type (a host message is never parsed further, whatever its size). A presence
 * message is then parsed strictly: at most {@link Builder#maxMessageChars} characters, nesting
 * at most 4 deep, numbers at most 32 digits, no duplicate fields, no trailing content, no
 * unknown fields (a {@code pong} may carry extra fields), every value validated. A bad one
 * throws a {@link PresenceProtocolException} naming the field, whose
 * {@link PresenceProtocolException#reply() reply} is the {@code error} message for the client.
 *
 * <p>Immutable, hence thread-safe.
 */
public final class PresenceProtocol {
  /** The default bound of one presence message, in characters. */
  public static final int DEFAULT_MAX_MESSAGE_CHARS = 16 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(PresenceProtocol.class);

  /** The longest {@code error} reply {@link #apply} sends; a longer one is replaced by a generic one. */
  public static final int MAX_REPLY_CHARS = 512;

  /** The message types this protocol owns. */
  public static final Set<String> TYPES = Set.of("pong", "activity", "set_status", "set_metadata");

  private static final JsonFactory PEEK = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(1000).build())
      .build();
  private static final PresenceProtocol STANDARD = new PresenceProtocol(DEFAULT_MAX_MESSAGE_CHARS);

  private final int maxMessageChars;
  private final ObjectMapper strict;

  private PresenceProtocol(int maxMessageChars) {
    this.maxMessageChars = maxMessageChars;
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(4)
            .maxNumberLength(32)
            .maxStringLength(maxMessageChars)
            .maxNameLength(256)
            .maxDocumentLength(maxMessageChars)
            .build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    this.strict = JsonMapper.builder(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }

  /**
   * Returns the protocol with the default bounds.
   *
   * @return the shared instance
   */
  public static PresenceProtocol standard() {
    return STANDARD;
  }

  /**
   * Returns a builder.
   *
   * @return a new builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns whether {@code type} is a type this protocol owns.
   *
   * @param type a message type, may be null
   * @return true for {@code pong}, {@code activity}, {@code set_status}, {@code set_metadata}
   */
  public static boolean isPresenceType(@Nullable String type) {
    return type != null && TYPES.contains(type);
  }

  /**
   * Returns the bound of one presence message.
   *
   * @return the most characters a presence message may have
   */
  public int maxMessageChars() {
    return maxMessageChars;
  }

  /**
   * Reads one incoming text message.
   *
   * @param text the message as received
   * @return the presence message, or {@link ClientMessage.Other} for anything else (including
   *     text that is not a JSON object)
   * @throws NullPointerException if {@code text} is null
   * @throws PresenceProtocolException if it is a presence message that is malformed or invalid
   */
  public ClientMessage parse(String text) {
    Objects.requireNonNull(text, "text");
    if (PresenceMessages.PONG.equals(text)) {
      return new ClientMessage.Pong(); // the most frequent message, without parsing
    }
    String type = peekType(text);
    if (!isPresenceType(type)) {
      return new ClientMessage.Other(type);
    }
    if (text.length() > maxMessageChars) {
      throw new PresenceProtocolException(type, type + " message must be at most " + maxMessageChars
          + " characters: " + text.length());
    }
    JsonNode root;
    try {
      root = strict.readTree(text);
    } catch (StreamConstraintsException e) {
      throw new PresenceProtocolException(type, type + " message exceeds a limit: " + firstLine(e));
    } catch (JsonProcessingException e) {
      throw new PresenceProtocolException(type, type + " message is not valid JSON: " + firstLine(e));
    }
    try {
      return switch (type) {
        case "pong" -> new ClientMessage.Pong();
        case "activity" -> {
          onlyFields(type, root, Set.of("type"));
          yield new ClientMessage.Activity();
        }
        case "set_status" -> setStatus(root);
        case "set_metadata" -> setMetadata(root);
        default -> throw new AssertionError(type);
      };
    } catch (PresenceProtocolException e) {
      throw e;
    } catch (IllegalArgumentException e) { // a value's own validation: its message names the field
      throw new PresenceProtocolException(type, e.getMessage());
    }
  }

  /**
   * Reads one incoming text message of {@code session} and applies it if it is a presence
   * message: every message is a sign of life ({@link PresenceSession#touch()}); {@code activity}
   * and {@code set_status} are activity ({@link PresenceSession#activity()}); {@code set_status}
   * changes the user's availability and/or text ({@link PresenceRegistry#setStatus}) and then
   * sends {@code self_status} to all the user's sessions; {@code set_metadata} replaces the
   * session's metadata. The user is always {@code session.userId()}: identity comes from the
   * handshake, never from the message.
   *
   * <p>A valid {@code set_status} or {@code set_metadata} takes one of the session's client
   * changes first ({@link PresenceSession#tryClientChange()}, limited by
   * {@link PresenceRegistry.Builder#clientChangeLimit}); over the limit it is refused with
   * {@link PresenceProtocolException#RATE_LIMITED} and nothing changes. {@code activity} and
   * {@code pong} are never limited: they cost two field writes and tell nobody (an idle user
   * coming back fires one update, at most once per {@code idleAfter}).
   *
   * @param registry the registry the session belongs to
   * @param session the session the message came from
   * @param text the message as received
   * @return the message; {@link ClientMessage.Other} is the host's to handle
   * @throws NullPointerException if an argument is null
   * @throws PresenceProtocolException if it is a presence message that is malformed or invalid
   *     (send {@link PresenceProtocolException#reply()} to the session); nothing was applied
   */
  public ClientMessage handle(PresenceRegistry registry, PresenceSession session, String text) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(text, "text");
    session.touch();
    ClientMessage m = parse(text);
    if (m instanceof ClientMessage.Activity) {
      session.activity();
    } else if (m instanceof ClientMessage.SetStatus change) {
      String userId = session.userId();
      limit(registry, session, "set_status");
      try {
        registry.setStatus(userId, change);
      } catch (IllegalArgumentException e) {
        throw new PresenceProtocolException("set_status", e.getMessage());
      }
      session.activity();
      registry.presenceOf(userId).ifPresent(p -> registry.sendToUser(userId, PresenceMessages.selfStatus(p)));
    } else if (m instanceof ClientMessage.SetMetadata metadata) {
      limit(registry, session, "set_metadata");
      session.metadata(metadata.metadata());
    }
    return m;
  }

  /**
   * Handles one incoming text of a session the way the adapters do: applies a presence message as
   * {@link #handle} does, answers one that is invalid or over the session's limit with its
   * {@code error} reply through {@code reply} (a reply over {@value #MAX_REPLY_CHARS} characters is
   * replaced by a generic one, so no long client text is ever echoed), and tells whether the text
   * was a presence message, which the host then must not handle itself. If the session or the
   * registry closed meanwhile, nothing is applied and nothing is answered.
   *
   * @param registry the registry the session belongs to
   * @param session the session the text came from
   * @param text the message as received
   * @param reply where an {@code error} reply goes (the session's own queue); must not block
   * @return true if the text was a presence message (applied, or rejected and answered)
   * @throws NullPointerException if an argument is null
   */
  public boolean apply(PresenceRegistry registry, PresenceSession session, String text,
      Consumer<String> reply) {
    Objects.requireNonNull(reply, "reply");
    ClientMessage m;
    try {
      m = handle(registry, session, text);
    } catch (PresenceProtocolException bad) {
      LOG.debug("Rejected a {} message of user '{}'", bad.type(), session.userId());
      reply.accept(boundedReply(bad));
      return true;
    } catch (RuntimeException e) { // the session or the registry closed meanwhile
      LOG.debug("Applying a message of session {} failed", session.sessionId(), e);
      return isPresenceMessage(text);
    }
    return !(m instanceof ClientMessage.Other);
  }

  /**
   * Returns whether {@code text} is a presence message (a malformed one included), without
   * applying it: for a text that arrives on a connection not (or no longer) registered.
   *
   * @param text the message as received
   * @return true if the host must not handle it as its own
   */
  public boolean isPresenceMessage(String text) {
    try {
      return !(parse(text) instanceof ClientMessage.Other);
    } catch (PresenceProtocolException bad) {
      return true; // a presence message, malformed
    }
  }

  private static String boundedReply(PresenceProtocolException bad) {
    String reply = bad.reply();
    return reply.length() <= MAX_REPLY_CHARS ? reply
        : PresenceMessages.error(bad.error(), bad.type() + " message is invalid");
  }

  private static void limit(PresenceRegistry registry, PresenceSession session, String type) {
    if (!session.tryClientChange()) {
      throw new PresenceProtocolException(type, PresenceProtocolException.RATE_LIMITED,
          type + " refused: over this session's clientChangeLimit of " + registry.clientChangeLimit());
    }
  }

  private static ClientMessage setStatus(JsonNode root) {
    onlyFields("set_status", root, Set.of("type", "availability", "status_text", "expires_at"));
    Availability availability = null;
    JsonNode a = root.get("availability");
    if (a != null) {
      if (!a.isTextual()) {
        throw bad("set_status", "availability must be one of available, busy, away, invisible: "
            + a.getNodeType());
      }
      availability = Availability.parse(a.textValue());
    }
    JsonNode t = root.get("status_text");
    JsonNode e = root.get("expires_at");
    boolean setsText = t != null;
    StatusText statusText = null;
    if (t != null && !t.isNull()) {
      if (!t.isTextual()) {
        throw bad("set_status", "status_text must be a string or null: " + t.getNodeType());
      }
      if (!t.textValue().isBlank()) {
        statusText = new StatusText(TextRules.check("status_text", t.textValue(), StatusText.MAX_CODE_POINTS, false),
            expiresAt(e));
      }
    }
    if (e != null && statusText == null) {
      throw bad("set_status", "expires_at needs a non-empty status_text");
    }
    if (availability == null && !setsText) {
      throw bad("set_status", "set_status must set availability or status_text");
    }
    return new ClientMessage.SetStatus(availability, setsText, statusText);
  }

  private static Instant expiresAt(JsonNode e) {
    if (e == null || e.isNull()) {
      return null;
    }
    String example = "an ISO-8601 instant such as 2026-11-29T12:00:00Z";
    if (!e.isTextual()) {
      throw bad("set_status", "expires_at must be " + example + ": " + e.getNodeType());
    }
    try {
      return Instant.parse(e.textValue());
    } catch (DateTimeParseException ex) {
      throw bad("set_status", "expires_at must be " + example + ": " + TextRules.quote(e.textValue()));
    }
  }

  private static ClientMessage setMetadata(JsonNode root) {
    onlyFields("set_metadata", root, Set.of("type", "metadata"));
    JsonNode m = root.get("metadata");
    if (m == null || !m.isObject()) {
      throw bad("set_metadata", "metadata must be an object of strings: "
          + (m == null ? "missing" : m.getNodeType()));
    }
    if (m.size() > SessionMetadata.MAX_ENTRIES) {
      throw bad("set_metadata", "metadata must have at most " + SessionMetadata.MAX_ENTRIES + " entries: " + m.size());
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : m.properties()) {
      if (!entry.getValue().isTextual()) {
        throw bad("set_metadata", "metadata value of " + TextRules.quote(entry.getKey()) + " must be a string: "
            + entry.getValue().getNodeType());
      }
      out.put(entry.getKey(), entry.getValue().textValue());
    }
    return new ClientMessage.SetMetadata(out);
  }

  private static void onlyFields(String type, JsonNode root, Set<String> allowed) {
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw bad(type, type + " has an unknown field: " + TextRules.quote(name));
      }
    }
  }

  private static PresenceProtocolException bad(String type, String message) {
    return new PresenceProtocolException(type, message);
  }

  /**
   * The top-level string {@code type} of a JSON object, read as a stream up to that field
   * (nothing is built and later fields are not read); null if there is none or the text is not
   * JSON.
   */
  static @Nullable String peekType(String text) {
    int i = 0;
    while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    if (i == text.length() || text.charAt(i) != '{') {
      return null;
    }
    try (JsonParser p = PEEK.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean isType = "type".equals(p.currentName());
        JsonToken value = p.nextToken();
        if (isType) {
          return value == JsonToken.VALUE_STRING && p.getTextLength() <= 64 ? p.getText() : null;
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Jackson's own description, without the source excerpt, cut short and made printable. */
  private static String firstLine(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    if (m == null) {
      return e.getClass().getSimpleName();
    }
    int nl = m.indexOf('\n');
    return TextRules.printable(nl < 0 ? m : m.substring(0, nl), 160);
  }

  @Override
  public String toString() {
    return "PresenceProtocol(maxMessageChars=" + maxMessageChars + ")";
  }

  /** Builds a {@link PresenceProtocol}. Setters validate at once. Not thread-safe. */
  public static final class Builder {
    private int maxMessageChars = DEFAULT_MAX_MESSAGE_CHARS;

    private Builder() {}

    /**
     * Sets the most characters one presence message may have. Default 16384. Host messages are
     * not bound by it.
     *
     * @param maxMessageChars between 256 and 1048576
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxMessageChars(int maxMessageChars) {
      if (maxMessageChars < 256 || maxMessageChars > 1 << 20) {
        throw new IllegalArgumentException("maxMessageChars must be between 256 and 1048576: " + maxMessageChars);
      }
      this.maxMessageChars = maxMessageChars;
      return this;
    }

    /**
     * Builds the protocol.
     *
     * @return a new protocol
     */
    public PresenceProtocol build() {
      return new PresenceProtocol(maxMessageChars);
    }
  }
}
