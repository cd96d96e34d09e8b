package dev.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Adds presence to thread JSON: sets {@code users[*].is_online} from the registry (memory only)
 * and, when a {@link LastSeenStore} is configured, {@code users[*].last_online} for offline users
 * with <b>one</b> batched store read per call, whatever the number of threads and users.
 *
 * <p>Two views. {@link #enrichFor(String, JsonNode) enrichFor(viewer, …)} (and its list and map
 * forms) shows what that viewer may see, with the registry's {@link PresencePolicy} applied: it
 * sets {@code is_online}, {@code status}, and {@code status_text}, {@code last_active} and
 * {@code last_online} where the policy allows (removing them where it does not). The viewer-less
 * {@link #enrich(JsonNode) enrich(…)} forms set only {@code is_online} and {@code last_online},
 * as before, for an unknown viewer: invisible users are offline, and {@code last_online} is
 * shown only where {@link PresencePolicy#anonymousVisibility} allows it (under the default
 * policy, always). In both views an invisible user looks exactly like an offline one, with the
 * last seen recorded when they went invisible.
 *
 * <p>Works on Jackson trees ({@link #enrich(JsonNode)}, {@link #enrichAll(Iterable)}) and on
 * {@code Map<String,Object>} documents such as BSON {@code Document}s ({@link #enrichMap},
 * {@link #enrichMaps}); in maps, {@code last_online} is an ISO-8601 UTC string, as in the JSON.
 *
 * <p>Rules, the same for both forms:
 * <ul>
 *   <li>The input is validated completely before anything is changed: a bad input throws
 *       {@link IllegalArgumentException} naming the path of the bad field (e.g.
 *       {@code threads[2].users[0].id}) and leaves every thread untouched. Bad means: a null
 *       thread or one that is not an object; {@code users} present but not an array; a user
 *       entry that is not an object; a user without a non-blank string id.</li>
 *   <li>A thread without {@code users} (absent or JSON null) is valid and left as it is.</li>
 *   <li>Any {@code last_online} already in the input is treated as stale (legacy documents
 *       stored it): it is removed for online users, replaced by the store's value for offline
 *       users, and removed when the store has none or no store is configured.</li>
 *   <li>If the store read fails, the failure is logged and {@code last_online} is omitted;
 *       {@code is_online} is still exact.</li>
 * </ul>
 *
 * <p>Thread-safe and immutable once built; the documents passed in are mutated in place and
 * must not be shared with other threads during the call.
 */
public final class ThreadEnricher {

  private final PresenceRegistry registry;
  private final LastSeenStore lastSeen;
  private final String usersField;
  private final String idField;
  private final String isOnlineField;
  private final String lastOnlineField;
  private final String statusField;
  private final String statusTextField;
  private final String lastActiveField;

  private ThreadEnricher(Builder b) {
    this.registry = b.registry;
    this.lastSeen = b.lastSeen;
    this.usersField = b.usersField;
    this.idField = b.idField;
    this.isOnlineField = b.isOnlineField;
    this.lastOnlineField = b.lastOnlineField;
    this.statusField = b.statusField;
    this.statusTextField = b.statusTextField;
    this.lastActiveField = b.lastActiveField;
  }

  /**
   * Returns a builder reading presence from {@code registry}.
   *
   * @param registry the source of {@code is_online}
   * @return a new builder
   * @throws NullPointerException if {@code registry} is null
   */
  public static Builder builder(PresenceRegistry registry) {
    return new Builder(Objects.requireNonNull(registry, "registry"));
  }

  /**
   * Enriches one thread in place.
   *
   * @param thread a JSON object
   * @param <T> the node type
   * @return {@code thread}
   * @throws IllegalArgumentException if the thread is malformed (see the class rules)
   */
  public <T extends JsonNode> T enrich(T thread) {
    enrichTrees(null, Collections.singletonList(thread), "thread");
    return thread;
  }

  /**
   * Enriches one thread in place with what {@code viewerId} may see.
   *
   * @param viewerId the user the response is for
   * @param thread a JSON object
   * @param <T> the node type
   * @return {@code thread}
   * @throws NullPointerException if {@code viewerId} is null
   * @throws IllegalArgumentException if the thread is malformed (see the class rules)
   */
  public <T extends JsonNode> T enrichFor(String viewerId, T thread) {
    enrichTrees(Objects.requireNonNull(viewerId, "viewerId"), Collections.singletonList(thread), "thread");
    return thread;
  }

  /**
   * Enriches many threads in place with what {@code viewerId} may see, with one last-seen read in
   * all.
   *
   * @param viewerId the user the response is for
   * @param threads JSON objects
   * @param <C> the container type
   * @return {@code threads}
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if any thread is malformed; then none is changed
   */
  public <C extends Iterable<? extends JsonNode>> C enrichAllFor(String viewerId, C threads) {
    Objects.requireNonNull(viewerId, "viewerId");
    Objects.requireNonNull(threads, "threads");
    List<JsonNode> list = new ArrayList<>();
    threads.forEach(list::add);
    enrichTrees(viewerId, list, null);
    return threads;
  }

  /**
   * Enriches one map-shaped thread in place with what {@code viewerId} may see.
   *
   * @param viewerId the user the response is for
   * @param thread the thread document
   * @param <M> the map type
   * @return {@code thread}
   * @throws NullPointerException if {@code viewerId} is null
   * @throws IllegalArgumentException if the thread is malformed (see the class rules)
   */
  public <M extends Map<String, Object>> M enrichMapFor(String viewerId, M thread) {
    enrichMapsInternal(Objects.requireNonNull(viewerId, "viewerId"), Collections.singletonList(thread), "thread");
    return thread;
  }

  /**
   * Enriches many map-shaped threads in place with what {@code viewerId} may see, with one
   * last-seen read in all.
   *
   * @param viewerId the user the response is for
   * @param threads the thread documents
   * @param <L> the list type
   * @return {@code threads}
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if any thread is malformed; then none is changed
   */
  public <L extends List<? extends Map<String, Object>>> L enrichMapsFor(String viewerId, L threads) {
    Objects.requireNonNull(viewerId, "viewerId");
    Objects.requireNonNull(threads, "threads");
    enrichMapsInternal(viewerId, threads, null);
    return threads;
  }

  /**
   * Enriches many threads in place with one last-seen read in all. An {@code ArrayNode} works.
   *
   * @param threads JSON objects
   * @param <C> the container type
   * @return {@code threads}
   * @throws NullPointerException if {@code threads} is null
   * @throws IllegalArgumentException if any thread is malformed; then none is changed
   */
  public <C extends Iterable<? extends JsonNode>> C enrichAll(C threads) {
    Objects.requireNonNull(threads, "threads");
    List<JsonNode> list = new ArrayList<>();
    threads.forEach(list::add);
    enrichTrees(null, list, null);
    return threads;
  }

  /**
   * Enriches one map-shaped thread (e.g. a BSON {@code Document}) in place.
   *
   * @param thread the thread document
   * @param <M> the map type
   * @return {@code thread}
   * @throws IllegalArgumentException if the thread is malformed (see the class rules)
   */
  public <M extends Map<String, Object>> M enrichMap(M thread) {
    enrichMapsInternal(null, Collections.singletonList(thread), "thread");
    return thread;
  }

  /**
   * Enriches many map-shaped threads in place with one last-seen read in all.
   *
   * @param threads the thread documents
   * @param <L> the list type
   * @return {@code threads}
   * @throws NullPointerException if {@code threads} is null
   * @throws IllegalArgumentException if any thread is malformed; then none is changed
   */
  public <L extends List<? extends Map<String, Object>>> L enrichMaps(L threads) {
    Objects.requireNonNull(threads, "threads");
    enrichMapsInternal(null, threads, null);
    return threads;
  }

  // ------------------------------------------------------------------ Jackson trees

  private void enrichTrees(String viewer, List<? extends JsonNode> threads, String singleName) {
    List<ObjectNode> entries = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int t = 0; t < threads.size(); t++) {
      JsonNode thread = threads.get(t);
      if (thread == null || !thread.isObject()) {
        throw new IllegalArgumentException(path(singleName, t) + " must be an object but was " + describe(thread));
      }
      JsonNode users = thread.get(usersField);
      if (users == null || users.isNull()) {
        continue;
      }
      if (!users.isArray()) {
        throw new IllegalArgumentException(path(singleName, t) + "." + usersField + " must be an array but was "
            + users.getNodeType());
      }
      for (int u = 0; u < users.size(); u++) {
        JsonNode user = users.get(u);
        if (!user.isObject()) {
          throw new IllegalArgumentException(userPath(singleName, t, u) + " must be an object but was " + user.getNodeType());
        }
        JsonNode id = user.get(idField);
        if (id == null || !id.isTextual() || id.textValue().isBlank()) {
          throw new IllegalArgumentException(userPath(singleName, t, u) + "." + idField
              + " must be a non-blank string but was " + describe(id));
        }
        entries.add((ObjectNode) user);
        ids.add(id.textValue());
      }
    }
    Map<String, MemberPresence> shown = MemberPresence.resolve(registry, lastSeen, viewer, ids);
    for (int i = 0; i < entries.size(); i++) {
      ObjectNode user = entries.get(i);
      MemberPresence u = shown.get(ids.get(i));
      user.put(isOnlineField, u.online);
      if (viewer != null) {
        VisiblePresence p = u.presence;
        user.put(statusField, p.status().wireName());
        putOrRemove(user, statusTextField, p.statusText() == null ? null : p.statusText().text());
        putOrRemove(user, lastActiveField, p.lastActive() == null ? null : format(p.lastActive()));
      }
      putOrRemove(user, lastOnlineField, u.lastSeen == null ? null : format(u.lastSeen));
    }
  }

  private static void putOrRemove(ObjectNode user, String field, String value) {
    if (value == null) {
      user.remove(field);
    } else {
      user.put(field, value);
    }
  }

  private static void putOrRemove(Map<String, Object> user, String field, String value) {
    if (value == null) {
      user.remove(field);
    } else {
      user.put(field, value);
    }
  }

  private static String describe(JsonNode n) {
    if (n == null) {
      return "missing";
    }
    return n.isTextual() ? "'" + n.textValue() + "'" : n.getNodeType().toString();
  }

  // ------------------------------------------------------------------ maps

  private void enrichMapsInternal(String viewer, List<? extends Map<String, Object>> threads, String singleName) {
    List<Map<String, Object>> entries = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int t = 0; t < threads.size(); t++) {
      Map<String, Object> thread = threads.get(t);
      if (thread == null) {
        throw new IllegalArgumentException(path(singleName, t) + " must be an object but was null");
      }
      Object users = thread.get(usersField);
      if (users == null) {
        continue;
      }
      if (!(users instanceof List<?> list)) {
        throw new IllegalArgumentException(path(singleName, t) + "." + usersField + " must be a List but was "
            + users.getClass().getName());
      }
      for (int u = 0; u < list.size(); u++) {
        Object user = list.get(u);
        if (!(user instanceof Map<?, ?> userMap)) {
          throw new IllegalArgumentException(userPath(singleName, t, u) + " must be a Map but was "
              + (user == null ? "null" : user.getClass().getName()));
        }
        Object id = userMap.get(idField);
        if (!(id instanceof String s) || s.isBlank()) {
          throw new IllegalArgumentException(userPath(singleName, t, u) + "." + idField
              + " must be a non-blank string but was " + (id == null ? "missing" : id instanceof String ? "'" + id + "'" : id.getClass().getName()));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) userMap;
        entries.add(typed);
        ids.add(s);
      }
    }
    Map<String, MemberPresence> shown = MemberPresence.resolve(registry, lastSeen, viewer, ids);
    for (int i = 0; i < entries.size(); i++) {
      Map<String, Object> user = entries.get(i);
      MemberPresence u = shown.get(ids.get(i));
      user.put(isOnlineField, u.online);
      if (viewer != null) {
        VisiblePresence p = u.presence;
        user.put(statusField, p.status().wireName());
        putOrRemove(user, statusTextField, p.statusText() == null ? null : p.statusText().text());
        putOrRemove(user, lastActiveField, p.lastActive() == null ? null : format(p.lastActive()));
      }
      putOrRemove(user, lastOnlineField, u.lastSeen == null ? null : format(u.lastSeen));
    }
  }

  // ------------------------------------------------------------------ shared

  /** Error paths are built only when an error is thrown: the happy path allocates no strings. */
  private static String path(String singleName, int t) {
    return singleName != null ? singleName : "threads[" + t + "]";
  }

  private String userPath(String singleName, int t, int u) {
    return path(singleName, t) + "." + usersField + "[" + u + "]";
  }

  static String format(Instant at) {
    return DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.MILLIS));
  }

  /** Builds a {@link ThreadEnricher}. Setters validate at once. Not thread-safe. */
  public static final class Builder {
    private final PresenceRegistry registry;
    private LastSeenStore lastSeen;
    private String usersField = "users";
    private String idField = "id";
    private String isOnlineField = "is_online";
    private String lastOnlineField = "last_online";
    private String statusField = "status";
    private String statusTextField = "status_text";
    private String lastActiveField = "last_active";

    private Builder(PresenceRegistry registry) {
      this.registry = registry;
    }

    /**
     * Fills {@code last_online} of offline users from this store (one read per call).
     * Typically {@code registry.lastSeenStore().orElseThrow()}, which also sees queued writes.
     *
     * @param store the store
     * @return this builder
     * @throws NullPointerException if {@code store} is null
     */
    public Builder lastSeenStore(LastSeenStore store) {
      this.lastSeen = Objects.requireNonNull(store, "lastSeenStore");
      return this;
    }

    /**
     * Sets the name of a thread's members array. Default {@code users}.
     *
     * @param name a non-blank field name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder usersField(String name) {
      this.usersField = field("usersField", name);
      return this;
    }

    /**
     * Sets the name of a member's id field. Default {@code id}.
     *
     * @param name a non-blank field name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder idField(String name) {
      this.idField = field("idField", name);
      return this;
    }

    /**
     * Sets the name of the computed online flag. Default {@code is_online}.
     *
     * @param name a non-blank field name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder isOnlineField(String name) {
      this.isOnlineField = field("isOnlineField", name);
      return this;
    }

    /**
     * Sets the name of the last-seen field. Default {@code last_online}.
     *
     * @param name a non-blank field name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder lastOnlineField(String name) {
      this.lastOnlineField = field("lastOnlineField", name);
      return this;
    }

    /**
     * Sets the name of the status field set by the {@code enrich…For} calls. Default
     * {@code status}.
     *
     * @param name a non-blank field name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder statusField(String name) {
      this.statusField = field("statusField", name);
      return this;
    }

    /**
     * Sets the name of the status text field set by the {@code enrich…For} calls. Default
     * {@code status_text}.
     *
     * @param name a non-blank field name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder statusTextField(String name) {
      this.statusTextField = field("statusTextField", name);
      return this;
    }

    /**
     * Sets the name of the last-active field set by the {@code enrich…For} calls. Default
     * {@code last_active}.
     *
     * @param name a non-blank field name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder lastActiveField(String name) {
      this.lastActiveField = field("lastActiveField", name);
      return this;
    }

    /**
     * Builds the enricher.
     *
     * @return a new enricher
     * @throws IllegalStateException if two of the field names are equal
     */
    public ThreadEnricher build() {
      List<String> all = List.of(idField, isOnlineField, lastOnlineField, statusField, statusTextField, lastActiveField);
      if (new LinkedHashSet<>(all).size() < all.size()) {
        throw new IllegalStateException("idField, isOnlineField, lastOnlineField, statusField, statusTextField"
            + " and lastActiveField must differ: " + String.join(", ", all));
      }
      return new ThreadEnricher(this);
    }

    private static String field(String setting, String name) {
      Objects.requireNonNull(name, setting);
      if (name.isBlank()) {
        throw new IllegalArgumentException(setting + " must not be blank: '" + name + "'");
      }
      return name;
    }
  }
}
