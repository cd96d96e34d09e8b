package dev.presence.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.MongoException;
import dev.presence.PresenceMessages;
import dev.presence.PresenceRegistry;
import dev.presence.ThreadEnricher;
import dev.presence.ThreadMembership;
import dev.presence.Visibility;
import dev.presence.VisiblePresence;
import dev.presence.mongo.CommandCounter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API: login, threads, invitations, the caller's presence settings, stats. Every answer
 * is JSON; every error is {@code {"error": "..."}} with a message naming what is wrong.
 *
 * <p>Presence enters only on the way out: thread JSON read from MongoDB goes through the
 * {@link ThreadEnricher} for the caller ({@code is_online}, {@code status}, {@code status_text},
 * {@code last_active} from memory, {@code last_online} of offline members in one batched read,
 * each only where the registry's policy lets the caller see it), and membership changes update
 * the in-memory {@link ThreadMembership} so that status fan-out never queries the database.
 *
 * <p>Thread-safe: all state is in thread-safe collaborators.
 */
final class ApiServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ApiServlet.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final transient DemoStore store;
  private final transient Tokens tokens;
  private final transient PresenceRegistry registry;
  private final transient ThreadMembership membership;
  private final transient ThreadEnricher enricher;
  private final transient CommandCounter counter;
  private final transient PresenceSettingsApi presenceSettings;
  private final transient SocketCloses closes;
  /** Requests per route ("GET /threads"), for /stats. */
  private final transient Map<String, LongAdder> requests = new ConcurrentHashMap<>();

  ApiServlet(DemoStore store, Tokens tokens, PresenceRegistry registry, ThreadMembership membership,
      ThreadEnricher enricher, CommandCounter counter, PresenceSettingsApi presenceSettings,
      SocketCloses closes) {
    this.store = store;
    this.tokens = tokens;
    this.registry = registry;
    this.membership = membership;
    this.enricher = enricher;
    this.counter = counter;
    this.presenceSettings = presenceSettings;
    this.closes = closes;
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    try {
      ApiInput.requireJsonIfBody(req);
      route(req, resp);
    } catch (ApiError e) {
      if (e.status == 401) {
        resp.setHeader("WWW-Authenticate", "Bearer");
      }
      if (e.retryAfterSeconds > 0) {
        resp.setHeader("Retry-After", String.valueOf(e.retryAfterSeconds));
      }
      write(resp, e.status, error(e.getMessage()));
    } catch (MongoException e) {
      LOG.warn("Database call failed for {} {}", req.getMethod(), req.getRequestURI(), e);
      write(resp, 503, error("database unavailable, try again later"));
    } catch (RuntimeException e) {
      // e.g. a stored thread the enricher rejects (data written by something else): still JSON,
      // and the exception's message goes to the log only, under an incident id the client sees.
      String incident = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
      LOG.error("Failed {} {} (incident {})", req.getMethod(), req.getRequestURI(), incident, e);
      write(resp, 500, error("internal error (incident " + incident + ")"));
    }
  }

  private void route(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String method = req.getMethod();
    String path = req.getRequestURI();
    String[] parts = path.substring(1).split("/", -1);
    if (path.equals("/login")) {
      requireMethod(method, path, "POST");
      count("POST /login");
      login(req, resp);
    } else if (path.equals("/stats")) {
      requireMethod(method, path, "GET");
      count("GET /stats");
      caller(req);
      write(resp, 200, stats());
    } else if (path.equals("/invitations")) {
      requireMethod(method, path, "GET");
      count("GET /invitations");
      write(resp, 200, invitations(caller(req)));
    } else if (path.equals("/me/presence")) {
      requireMethod(method, path, "GET", "PUT");
      count(method + " /me/presence");
      String caller = caller(req);
      write(resp, 200, method.equals("GET") ? presenceSettings.get(caller)
          : presenceSettings.put(caller, ApiInput.body(req)));
    } else if (path.equals("/threads")) {
      requireMethod(method, path, "GET", "POST");
      count(method + " /threads");
      if (method.equals("POST")) {
        createThread(caller(req), ApiInput.body(req), resp);
      } else {
        String caller = caller(req);
        ArrayNode out = NODES.arrayNode();
        for (Document t : store.threadsOf(caller)) {
          out.add(threadJson(t));
        }
        write(resp, 200, enricher.enrichAllFor(caller, out));
      }
    } else if (parts.length == 2 && parts[0].equals("threads") && !parts[1].isEmpty()) {
      requireMethod(method, path, "GET");
      count("GET /threads/{id}");
      String caller = caller(req);
      write(resp, 200, enricher.enrichFor(caller, threadJson(memberThread(parts[1], caller))));
    } else if (parts.length == 3 && parts[0].equals("threads") && parts[2].equals("invitations")) {
      requireMethod(method, path, "POST");
      count("POST /threads/{id}/invitations");
      invite(caller(req), parts[1], ApiInput.body(req), resp);
    } else if (parts.length == 4 && parts[0].equals("threads") && parts[2].equals("invitations")
        && parts[3].equals("accept")) {
      requireMethod(method, path, "POST");
      count("POST /threads/{id}/invitations/accept");
      accept(caller(req), parts[1], resp);
    } else {
      throw new ApiError(404, "no such path: " + ClientText.excerpt(path));
    }
  }

  // ------------------------------------------------------------------ endpoints

  private void login(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String userId = ApiInput.userId(ApiInput.body(req), "user_id");
    store.ensureUser(userId);
    ObjectNode out = NODES.objectNode();
    out.put("user_id", userId);
    out.put("token", tokens.issue(userId));
    write(resp, 200, out);
  }

  @SuppressWarnings("JavaUtilDate") // the MongoDB driver stores BSON dates as java.util.Date
  private void createThread(String caller, ObjectNode body, HttpServletResponse resp)
      throws IOException {
    String threadName = ApiInput.threadName(body);
    Set<String> members = new LinkedHashSet<>();
    members.add(caller);
    JsonNode ids = body.get("user_ids");
    if (ids != null && !ids.isNull()) {
      if (!ids.isArray()) {
        throw new ApiError(400, "user_ids must be an array of strings but was "
            + ApiInput.describe(ids));
      }
      if (ids.size() > 100) {
        throw new ApiError(400, "user_ids must have at most 100 entries: " + ids.size());
      }
      for (int i = 0; i < ids.size(); i++) {
        members.add(ApiInput.userIdValue(ids.get(i), "user_ids[" + i + "]"));
      }
    }
    Date now = new Date();
    Document thread = store.createThread(threadName, caller,
        store.memberEntries(new ArrayList<>(members), now), now);
    String threadId = thread.getString("id");
    membership.joinAll(threadId, members);
    ObjectNode added = NODES.objectNode();
    added.put("type", "thread_added");
    added.put("thread_id", threadId);
    String message = added.toString();
    for (String m : members) {
      if (!m.equals(caller)) {
        registry.sendToUser(m, message);
      }
    }
    write(resp, 201, enricher.enrichFor(caller, threadJson(thread)));
  }

  /**
   * One conditional update; on refusal up to two bounded reads to say why. Never reads or writes
   * the whole thread, so its cost does not grow with the thread's size.
   */
  @SuppressWarnings("JavaUtilDate") // the MongoDB driver stores BSON dates as java.util.Date
  private void invite(String caller, String threadId, ObjectNode body, HttpServletResponse resp)
      throws IOException {
    String invitee = ApiInput.userId(body, "user_id");
    String threadName = store.invite(threadId, caller, invitee, new Date());
    if (threadName != null) {
      ObjectNode note = NODES.objectNode();
      note.put("type", "invitation");
      note.put("thread_id", threadId);
      note.put("thread_name", threadName);
      note.put("invited_by", caller);
      registry.sendToUser(invitee, note.toString());
    } else if (!store.hasMember(threadId, caller)) {
      throw notFound(threadId);
    } else if (store.hasMember(threadId, invitee)) {
      throw new ApiError(409, invitee + " is already a member of thread " + threadId);
    } // else already invited: the invitation stands, and is not announced twice
    ObjectNode out = NODES.objectNode();
    out.put("thread_id", threadId);
    out.put("user_id", invitee);
    out.put("invited_by", caller);
    write(resp, 201, out);
  }

  /**
   * One read of the caller's user entry and one conditional update; on refusal one bounded read
   * to say why; at most one read of the caller's last seen. The answer is the new member entry,
   * not the whole thread, so the cost of an acceptance does not grow with the thread's size
   * (members are told from the in-memory membership). Each member is told what the policy lets
   * them see of the new member.
   */
  @SuppressWarnings("JavaUtilDate") // the MongoDB driver stores BSON dates as java.util.Date
  private void accept(String caller, String threadId, HttpServletResponse resp) throws IOException {
    Document member = store.memberEntries(List.of(caller), new Date()).get(0);
    Document before = store.accept(threadId, member);
    if (before == null) {
      if (store.hasMember(threadId, caller)) {
        throw new ApiError(409, caller + " is already a member of thread " + threadId);
      }
      throw new ApiError(404, "no pending invitation for " + caller + " to thread "
          + ClientText.excerpt(threadId));
    }
    membership.join(threadId, caller);
    List<Document> invitation = DemoStore.invitationsOf(before);
    String inviter = invitation.isEmpty() ? null : invitation.get(0).getString("invited_by");
    if (inviter != null) {
      registry.sendToUser(inviter,
          PresenceMessages.invitationAccepted(threadId, registry.visiblePresence(inviter, caller)));
    }
    ObjectNode entry = (ObjectNode) toJson(member);
    LastOnline lastOnline = new LastOnline(caller);
    // One text per way of seeing the new member (one in all under the default policy).
    Map<Visibility, String> texts = new HashMap<>();
    for (String id : membership.membersOf(threadId)) {
      if (id.equals(caller) || id.equals(inviter) || registry.sessionCount(id) == 0) {
        continue;
      }
      String message = texts.computeIfAbsent(registry.visibility(id, caller), v -> {
        ObjectNode joined = NODES.objectNode();
        joined.put("type", "member_joined");
        joined.put("thread_id", threadId);
        joined.set("user", memberAsSeenBy(id, caller, entry, lastOnline));
        return joined.toString();
      });
      registry.sendToUser(id, message);
    }
    ObjectNode out = NODES.objectNode();
    out.put("thread_id", threadId);
    out.put("thread_name", before.getString("name"));
    out.set("user", memberAsSeenBy(caller, caller, entry, lastOnline));
    write(resp, 200, out);
  }

  /**
   * A member entry with the fields {@link ThreadEnricher#enrichFor} would set for {@code viewer}:
   * {@code is_online}, {@code status}, {@code status_text}, {@code last_active}, and
   * {@code last_online} for a member who looks offline and whose last seen the viewer may see.
   */
  private ObjectNode memberAsSeenBy(String viewer, String subject, ObjectNode entry, LastOnline lastOnline) {
    VisiblePresence seen = registry.visiblePresence(viewer, subject);
    ObjectNode user = entry.deepCopy();
    ObjectNode fields = PresenceMessages.presenceFields(seen);
    fields.remove("user_id");
    user.setAll(fields);
    Visibility v = viewer.equals(subject) ? Visibility.ALL : registry.visibility(viewer, subject);
    if (!seen.online() && v.presence() && v.lastSeen()) {
      lastOnline.get().ifPresent(at -> user.put("last_online",
          java.time.format.DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))));
    }
    return user;
  }

  /** One user's last seen, read from the store at most once, and only if someone may see it. */
  private final class LastOnline {
    private final String userId;
    private Optional<Instant> value;

    LastOnline(String userId) {
      this.userId = userId;
    }

    Optional<Instant> get() {
      if (value == null) {
        value = registry.lastSeenStore().map(s -> s.readAll(List.of(userId)).get(userId));
      }
      return value;
    }
  }

  private JsonNode invitations(String caller) {
    ArrayNode out = NODES.arrayNode();
    for (Document t : store.invitationsFor(caller)) {
      for (Document i : DemoStore.invitationsOf(t)) {
        if (caller.equals(i.getString("user_id"))) {
          ObjectNode n = out.addObject();
          n.put("thread_id", t.getString("id"));
          n.put("thread_name", t.getString("name"));
          n.put("invited_by", i.getString("invited_by"));
          n.set("invited_at", toJson(i.get("invited_at")));
        }
      }
    }
    return out;
  }

  private JsonNode stats() {
    ObjectNode out = NODES.objectNode();
    ObjectNode db = out.putObject("db");
    for (String collection : List.of("users", "threads")) {
      ObjectNode c = db.putObject(collection);
      c.put("reads", counter.reads(collection));
      c.put("writes", counter.writes(collection));
    }
    ObjectNode presence = out.putObject("presence");
    presence.put("online_users", registry.onlineUserCount());
    presence.put("sessions", registry.totalSessionCount());
    ObjectNode closed = presence.putObject("socket_closes");
    closes.snapshot().forEach((code, n) -> closed.put(String.valueOf(code), n));
    ObjectNode calls = out.putObject("requests");
    new TreeMap<>(requests).forEach((route, n) -> calls.put(route, n.sum()));
    return out;
  }

  private void count(String route) {
    requests.computeIfAbsent(route, k -> new LongAdder()).increment();
  }

  // ------------------------------------------------------------------ helpers

  private Document memberThread(String threadId, String caller) {
    Document thread = store.thread(threadId);
    if (thread == null || !DemoStore.isMember(thread, caller)) {
      throw notFound(threadId);
    }
    return thread;
  }

  private static ApiError notFound(String threadId) {
    return new ApiError(404, "thread " + ClientText.excerpt(threadId) + " not found");
  }

  private String caller(HttpServletRequest req) {
    String header = req.getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiError(401, "missing bearer token: send Authorization: Bearer <token> from POST /login");
    }
    String user = tokens.verify(header.substring(7).strip());
    if (user == null) {
      throw new ApiError(401, "invalid or expired bearer token: log in again (POST /login)");
    }
    return user;
  }

  private static void requireMethod(String method, String path, String... allowed) {
    for (String a : allowed) {
      if (a.equals(method)) {
        return;
      }
    }
    throw new ApiError(405, "method " + method + " not allowed on " + ClientText.excerpt(path) + " (use "
        + String.join(" or ", allowed) + ")");
  }

  static ObjectNode threadJson(Document thread) {
    return (ObjectNode) toJson(thread);
  }

  /** BSON to JSON the way the API shows it: dates as ISO-8601 UTC strings, no {@code _id}. */
  static JsonNode toJson(Object v) {
    if (v == null) {
      return NODES.nullNode();
    }
    if (v instanceof Map) {
      ObjectNode o = NODES.objectNode();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        if (!"_id".equals(e.getKey())) {
          o.set(String.valueOf(e.getKey()), toJson(e.getValue()));
        }
      }
      return o;
    }
    if (v instanceof List) {
      ArrayNode a = NODES.arrayNode();
      for (Object e : (List<?>) v) {
        a.add(toJson(e));
      }
      return a;
    }
    if (v instanceof Date d) {
      return NODES.textNode(d.toInstant().toString());
    }
    if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (v instanceof Integer || v instanceof Long) {
      return NODES.numberNode(((Number) v).longValue());
    }
    if (v instanceof Number n) {
      return NODES.numberNode(n.doubleValue());
    }
    return NODES.textNode(String.valueOf(v));
  }

  private static ObjectNode error(String message) {
    ObjectNode n = NODES.objectNode();
    n.put("error", message);
    return n;
  }

  static void write(HttpServletResponse resp, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    resp.setStatus(status);
    resp.setContentType("application/json");
    resp.setCharacterEncoding(StandardCharsets.UTF_8.name());
    resp.setHeader("Cache-Control", "no-store");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }
}
