package dev.presence.redis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.presence.Availability;
import dev.presence.ClientMessage;
import dev.presence.SessionInfo;
import dev.presence.StatusText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON forms of rich presence on the channel and in the nodes' hashes, with their bounds.
 * Decoding validates everything again (a message from Redis is input like any other): the text
 * and metadata rules of core, at most {@value #MAX_SESSIONS} sessions per contribution, at most
 * {@value #MAX_USERS_PER_MESSAGE} users per message, nesting and string sizes bounded by the
 * parser, and it throws {@link IllegalArgumentException} naming what was wrong. Thread-safe.
 */
final class RichCodec {
  /** Sessions carried per user and node; a node with more announces the first ones. */
  static final int MAX_SESSIONS = 64;
  /** An encoded contribution above this drops its sessions' metadata (ids and times stay). */
  static final int MAX_CONTRIBUTION_CHARS = 64 * 1024;
  /** Messages are cut into batches of at most this many characters of payload. */
  static final int BATCH_CHARS = 128 * 1024;
  /** Users named in one message. */
  static final int MAX_USERS_PER_MESSAGE = 10_000;

  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(8)
          .maxStringLength(Message.MAX_CHARS)
          .maxNumberLength(20)
          .build())
      .build());

  private RichCodec() {}

  /** A change of one user's record: the new contribution, or null when it is removed. */
  record Change(String user, @Nullable Contribution contribution) {}

  /**
   * One {@code U} message: its payload, and the node's hash fields it writes (user to the
   * contribution's JSON; an empty string removes the field).
   */
  record Batch(String payload, Map<String, String> fields, char transition, String user) {
    Batch(String payload, Map<String, String> fields) {
      this(payload, fields, NO_TRANSITION, "");
    }
  }

  /** What a {@code U} message carries: record changes, and possibly a transition after them. */
  record Decoded(List<Change> changes, char transition, String user) {}

  /** A batch without a transition. */
  static final char NO_TRANSITION = '0';

  /** A routed {@code setStatus}: for the nodes holding the user. */
  record Directive(String user, Stamp stamp, ClientMessage.SetStatus change) {}

  /** A routed {@code forget}. */
  /**
   * A routed {@code forget}: for each user, the availability that applies with the text cleared
   * (what the issuing node knew as the latest), so that every node applying it under its stamp
   * ends in the same state.
   */
  record Forget(List<String> users, List<Availability> availabilities, Stamp stamp) {
    Forget {
      if (users.size() != availabilities.size()) {
        throw new IllegalArgumentException("a forget needs one availability per user: "
            + users.size() + " users, " + availabilities.size() + " availabilities");
      }
    }
  }

  // ---------------------------------------------------------------- contributions

  static String encode(Contribution c) {
    return bounded(c).toString();
  }

  /** The contribution's JSON; without session metadata if it would be too long with it. */
  private static ObjectNode bounded(Contribution c) {
    ObjectNode full = node(c, true);
    return full.toString().length() <= MAX_CONTRIBUTION_CHARS ? full : node(c, false);
  }

  private static ObjectNode node(Contribution c, boolean withMetadata) {
    ObjectNode n = JSON.createObjectNode();
    n.put("v", c.stamp().version());
    n.put("o", c.stamp().origin());
    n.put("a", c.availability().wireName());
    putText(n, c.statusText());
    if (c.idle()) {
      n.put("i", true);
    }
    if (c.lastActiveMillis() >= 0) {
      n.put("l", c.lastActiveMillis());
    }
    ArrayNode sessions = n.putArray("s");
    int count = 0;
    for (SessionInfo s : c.sessions()) {
      if (count++ == MAX_SESSIONS) {
        break;
      }
      ObjectNode sn = sessions.addObject();
      sn.put("id", s.sessionId());
      sn.put("c", s.connectedAt().toEpochMilli());
      if (withMetadata && !s.metadata().isEmpty()) {
        ObjectNode m = sn.putObject("m");
        s.metadata().forEach(m::put);
      }
    }
    return n;
  }

  static Contribution decodeContribution(String json) {
    return contribution(parse(json));
  }

  private static Contribution contribution(JsonNode n) {
    require(n.isObject(), "a contribution must be an object");
    // node ids and metadata keys repeat across thousands of records: one instance each
    Stamp stamp = new Stamp(number(n, "v"), shared(string(n, "o")));
    Availability a = Availability.parse(string(n, "a"));
    StatusText text = text(n);
    boolean idle = n.path("i").asBoolean(false);
    long lastActive = n.has("l") ? number(n, "l") : -1;
    JsonNode s = n.path("s");
    require(s.isArray(), "s must be an array");
    require(s.size() <= MAX_SESSIONS, "at most " + MAX_SESSIONS + " sessions: " + s.size());
    List<SessionInfo> sessions = new ArrayList<>(s.size());
    for (JsonNode sn : s) {
      require(sn.isObject(), "a session must be an object");
      Map<String, String> metadata = new LinkedHashMap<>();
      JsonNode m = sn.path("m");
      if (!m.isMissingNode()) {
        require(m.isObject(), "m must be an object");
        require(m.size() <= 16, "metadata has more than 16 entries: " + m.size());
        for (var e : m.properties()) {
          require(e.getValue().isTextual(), "metadata value of " + e.getKey() + " must be a string");
          metadata.put(shared(e.getKey()), e.getValue().asText());
        }
      }
      String id = string(sn, "id");
      require(!id.isBlank(), "a session id must not be blank");
      sessions.add(new SessionInfo(id, metadata, Instant.ofEpochMilli(number(sn, "c"))));
    }
    return new Contribution(stamp, a, text, idle, lastActive, sessions);
  }

  // ---------------------------------------------------------------- record batches (op U)

  /**
   * Encodes changes into batches of at most about {@link #BATCH_CHARS} characters of payload and
   * {@link #MAX_USERS_PER_MESSAGE} users each (a single change is never split).
   */
  static List<Batch> encodeBatches(Collection<Change> changes) {
    List<Batch> out = new ArrayList<>();
    StringBuilder payload = new StringBuilder();
    Map<String, String> fields = new LinkedHashMap<>();
    for (Change ch : changes) {
      ObjectNode n = JSON.createObjectNode();
      n.put("u", ch.user());
      String field = "";
      if (ch.contribution() != null) {
        ObjectNode c = bounded(ch.contribution());
        n.set("c", c);
        field = c.toString();
      }
      String one = n.toString();
      if (!fields.isEmpty() && (payload.length() + one.length() > BATCH_CHARS
          || fields.size() == MAX_USERS_PER_MESSAGE || fields.containsKey(ch.user()))) {
        out.add(new Batch(payload.append("]}").toString(), fields));
        payload.setLength(0);
        fields = new LinkedHashMap<>();
      }
      payload.append(fields.isEmpty() ? "{\"r\":[" : ",").append(one);
      fields.put(ch.user(), field);
    }
    if (!fields.isEmpty()) {
      out.add(new Batch(payload.append("]}").toString(), fields));
    }
    return out;
  }

  /**
   * Encodes a node-level transition of {@code user} ({@code online}) together with the change of
   * its record, if any, as one {@code U} message: one script call, one sequence number.
   */
  static Batch encodeTransition(boolean online, String user, @Nullable Change change) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode r = root.putArray("r");
    Map<String, String> fields = new LinkedHashMap<>();
    if (change != null) {
      ObjectNode n = r.addObject();
      n.put("u", change.user());
      String field = "";
      if (change.contribution() != null) {
        ObjectNode c = bounded(change.contribution());
        n.set("c", c);
        field = c.toString();
      }
      fields.put(change.user(), field);
    }
    root.put(online ? "on" : "off", user);
    return new Batch(root.toString(), fields, online ? Message.ONLINE : Message.OFFLINE, user);
  }

  static Decoded decodeBatch(String json) {
    JsonNode root = parse(json);
    JsonNode r = root.path("r");
    require(r.isArray(), "r must be an array");
    require(r.size() <= MAX_USERS_PER_MESSAGE, "too many users in one message: " + r.size());
    List<Change> out = new ArrayList<>(r.size());
    for (JsonNode n : r) {
      require(n.isObject(), "a change must be an object");
      String user = string(n, "u");
      require(!user.isEmpty(), "a user id must not be empty");
      out.add(new Change(user, n.has("c") ? contribution(n.get("c")) : null));
    }
    if (root.has("on") || root.has("off")) {
      boolean on = root.has("on");
      String user = string(root, on ? "on" : "off");
      require(!user.isEmpty(), "a user id must not be empty");
      for (Change ch : out) {
        if (ch.user().equals(user)) {
          user = ch.user(); // one instance of the id in the replica's maps
        }
      }
      return new Decoded(out, on ? Message.ONLINE : Message.OFFLINE, user);
    }
    return new Decoded(out, NO_TRANSITION, "");
  }

  // ---------------------------------------------------------------- directives (ops S, F)

  static String encode(Directive d) {
    ObjectNode n = JSON.createObjectNode();
    n.put("u", d.user());
    n.put("v", d.stamp().version());
    n.put("o", d.stamp().origin());
    if (d.change().availability() != null) {
      n.put("a", d.change().availability().wireName());
    }
    if (d.change().setsStatusText()) {
      n.put("st", true);
      putText(n, d.change().statusText());
    }
    return n.toString();
  }

  static Directive decodeDirective(String json) {
    JsonNode n = parse(json);
    String user = string(n, "u");
    require(!user.isEmpty(), "a user id must not be empty");
    Availability a = n.has("a") ? Availability.parse(string(n, "a")) : null;
    boolean setsText = n.path("st").asBoolean(false);
    StatusText text = setsText ? text(n) : null;
    return new Directive(user, new Stamp(number(n, "v"), string(n, "o")),
        new ClientMessage.SetStatus(a, setsText, text));
  }

  static String encode(Forget f) {
    ObjectNode n = JSON.createObjectNode();
    n.put("v", f.stamp().version());
    n.put("o", f.stamp().origin());
    ArrayNode users = n.putArray("u");
    f.users().forEach(users::add);
    ArrayNode availabilities = n.putArray("a");
    f.availabilities().forEach(a -> availabilities.add(a.wireName()));
    return n.toString();
  }

  static Forget decodeForget(String json) {
    JsonNode n = parse(json);
    JsonNode u = n.path("u");
    JsonNode a = n.path("a");
    require(u.isArray() && a.isArray(), "u and a must be arrays");
    require(u.size() <= MAX_USERS_PER_MESSAGE, "too many users in one message: " + u.size());
    require(u.size() == a.size(), "one availability per user: " + u.size() + " users, "
        + a.size() + " availabilities");
    List<String> users = new ArrayList<>(u.size());
    List<Availability> availabilities = new ArrayList<>(u.size());
    for (int i = 0; i < u.size(); i++) {
      JsonNode id = u.get(i);
      require(id.isTextual() && !id.asText().isEmpty(), "a user id must be a non-empty string");
      users.add(id.asText());
      require(a.get(i).isTextual(), "an availability must be a string");
      availabilities.add(Availability.parse(a.get(i).asText()));
    }
    return new Forget(users, availabilities, new Stamp(number(n, "v"), string(n, "o")));
  }

  // ---------------------------------------------------------------- plumbing

  private static void putText(ObjectNode n, @Nullable StatusText t) {
    if (t != null) {
      n.put("t", t.text());
      if (t.expiresAt() != null) {
        n.put("x", t.expiresAt().toEpochMilli());
      }
    }
  }

  private static @Nullable StatusText text(JsonNode n) {
    if (!n.has("t")) {
      return null;
    }
    return StatusText.of(string(n, "t"), n.has("x") ? Instant.ofEpochMilli(number(n, "x")) : null);
  }

  /** One instance of a short string that repeats across records (validated later anyway). */
  private static String shared(String s) {
    return s.length() <= 64 ? s.intern() : s;
  }

  private static JsonNode parse(String json) {
    if (json.length() > Message.MAX_CHARS) {
      throw new IllegalArgumentException("payload too long: " + json.length() + " characters");
    }
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static String string(JsonNode n, String field) {
    JsonNode v = n.get(field);
    require(v != null && v.isTextual(), field + " must be a string");
    return v.asText();
  }

  private static long number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    require(v != null && v.canConvertToLong() && v.isIntegralNumber(), field + " must be an integer");
    return v.asLong();
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException(what);
    }
  }
}
