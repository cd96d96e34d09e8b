package dev.presence.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.presence.Audience;
import dev.presence.Availability;
import dev.presence.ClientMessage;
import dev.presence.PresenceMessages;
import dev.presence.PresenceRegistry;
import dev.presence.RateLimit;
import dev.presence.Status;
import dev.presence.StatusText;
import dev.presence.UserPresence;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;

/**
 * {@code GET /me/presence} and {@code PUT /me/presence}: the caller's presence settings over
 * HTTP, validated like the rest of the API (400 naming the field, client text quoted only as an
 * excerpt), stored by {@link PresenceSettings} and applied at once to the caller's live presence
 * in the registry (which tells their co-members and sends {@code self_status} to their own
 * sessions). A change of "hide my last seen" is announced to the caller's connected co-members as
 * {@code {"type":"last_seen_shown","user_id":...,"shown":false}} (what the policy now lets each
 * of them see), so that their pages stop (or start) showing it without reloading: the registry
 * re-announces nothing when only a policy input changes. The message carries no presence, so it
 * can never contradict the fan-out's order. Thread-safe: stateless apart from thread-safe
 * collaborators.
 */
final class PresenceSettingsApi {
  /** The latest expiry of a status text, from now. */
  static final Duration MAX_EXPIRY = Duration.ofDays(366);
  private static final Set<String> FIELDS = Set.of("availability", "status_text", "expires_at", "hide_last_seen");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final PresenceSettings settings;
  private final PresenceRegistry registry;
  private final Audience audience;
  private final ChangeLimiter limiter;
  private final Clock clock;

  PresenceSettingsApi(PresenceSettings settings, PresenceRegistry registry, Audience audience,
      ChangeLimiter limiter, Clock clock) {
    this.settings = settings;
    this.registry = registry;
    this.audience = audience;
    this.limiter = limiter;
    this.clock = clock;
  }

  /** The caller's settings and the status others see now. */
  JsonNode get(String caller) {
    return json(caller, settings.of(caller));
  }

  /**
   * Changes the fields present in {@code body}; the others keep their value.
   *
   * @throws ApiError 400 naming the field if any is invalid, 429 over the change limit (valid
   *     changes only count); then nothing changes
   */
  JsonNode put(String caller, ObjectNode body) {
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new ApiError(400, "unknown field " + ClientText.excerpt(name)
            + " (send availability, status_text, expires_at or hide_last_seen)");
      }
    }
    if (!body.has("availability") && !body.has("status_text") && !body.has("hide_last_seen")) {
      throw new ApiError(400, body.has("expires_at") ? "expires_at needs a non-empty status_text"
          : "nothing to change: send availability, status_text or hide_last_seen");
    }
    Availability availability = body.has("availability") ? availability(body.get("availability")) : null;
    boolean setsText = body.has("status_text");
    StatusText text = setsText ? statusText(body.get("status_text"), body.get("expires_at")) : null;
    if (!setsText && body.has("expires_at")) {
      throw new ApiError(400, "expires_at needs a non-empty status_text");
    }
    Boolean hide = null;
    if (body.has("hide_last_seen")) {
      JsonNode h = body.get("hide_last_seen");
      if (!h.isBoolean()) {
        throw new ApiError(400, "hide_last_seen must be a boolean but was " + ApiInput.describe(h));
      }
      hide = h.booleanValue();
    }
    Boolean hideLastSeen = hide;
    long wait = limiter.acquire(caller);
    if (wait > 0) {
      long seconds = Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
      RateLimit r = limiter.limit();
      throw new ApiError(429, "too many presence changes: at most " + r.permits() + " per "
          + DemoOptions.format(r.per()) + "; try again in " + seconds + "s", seconds);
    }
    boolean[] hidBefore = new boolean[1];
    PresenceSettings.Settings after = settings.update(caller, s -> {
      hidBefore[0] = s.hideLastSeen();
      PresenceSettings.Settings n = s;
      if (availability != null) {
        n = n.withAvailability(availability);
      }
      if (setsText) {
        n = n.withStatusText(text);
      }
      if (hideLastSeen != null) {
        n = n.withHideLastSeen(hideLastSeen);
      }
      return n;
    }, s -> {
      if ((availability != null || setsText) && apply(caller, availability, setsText, text)) {
        // Every session of the caller shows the new picker, as set_status on a socket would.
        registry.presenceOf(caller).ifPresent(p -> registry.sendToUser(caller, PresenceMessages.selfStatus(p)));
      }
    });
    if (after.hideLastSeen() != hidBefore[0]) {
      announceLastSeen(caller);
    }
    return json(caller, after);
  }

  /** Tells each connected co-member whether they may now see the caller's last seen. */
  private void announceLastSeen(String caller) {
    for (String m : audience.audienceOf(caller)) {
      if (!m.equals(caller) && registry.sessionCount(m) > 0) {
        registry.sendToUser(m, NODES.objectNode().put("type", "last_seen_shown").put("user_id", caller)
            .put("shown", registry.visibility(m, caller).lastSeen()).toString());
      }
    }
  }

  /** Applies the change to the live presence; false if the caller has none (not connected). */
  private boolean apply(String caller, Availability availability, boolean setsText, StatusText text) {
    try {
      return registry.setStatus(caller, new ClientMessage.SetStatus(availability, setsText, text));
    } catch (IllegalArgumentException expiredMeanwhile) {
      // The text's expiry passed between the check above and now: it is already gone.
      return registry.setStatus(caller, new ClientMessage.SetStatus(availability, true, null));
    }
  }

  private static Availability availability(JsonNode a) {
    String rule = "availability must be one of available, busy, away, invisible";
    if (!a.isTextual()) {
      throw new ApiError(400, rule + " but was " + ApiInput.describe(a));
    }
    for (Availability v : Availability.values()) {
      if (v.wireName().equals(a.textValue())) {
        return v;
      }
    }
    throw new ApiError(400, rule + ": " + ClientText.excerpt(a.textValue()));
  }

  /** The new text, or null to clear it ({@code null} or a blank string). */
  private StatusText statusText(JsonNode t, JsonNode e) {
    if (!t.isNull() && !t.isTextual()) {
      throw new ApiError(400, "status_text must be a string or null but was " + ApiInput.describe(t));
    }
    boolean clears = t.isNull() || t.textValue().isBlank();
    Instant expiresAt = null;
    if (e != null && !e.isNull()) {
      if (clears) {
        throw new ApiError(400, "expires_at needs a non-empty status_text");
      }
      expiresAt = expiresAt(e);
    }
    if (clears) {
      return null;
    }
    try {
      return StatusText.of(t.textValue(), expiresAt);
    } catch (IllegalArgumentException ex) {
      // The library names its parameter statusText; the API's field is status_text.
      throw new ApiError(400, ex.getMessage().replaceFirst("^statusText", "status_text"));
    }
  }

  private Instant expiresAt(JsonNode e) {
    String rule = "expires_at must be an ISO-8601 instant such as 2026-11-29T12:00:00Z";
    if (!e.isTextual()) {
      throw new ApiError(400, rule + " but was " + ApiInput.describe(e));
    }
    Instant at;
    try {
      at = Instant.parse(e.textValue());
    } catch (DateTimeParseException ex) {
      throw new ApiError(400, rule + ": " + ClientText.excerpt(e.textValue()));
    }
    Instant now = clock.instant();
    if (!at.isAfter(now)) {
      throw new ApiError(400, "expires_at must be in the future: " + at);
    }
    if (at.isAfter(now.plus(MAX_EXPIRY))) {
      throw new ApiError(400, "expires_at must be at most 366 days ahead: " + at);
    }
    return at;
  }

  private JsonNode json(String caller, PresenceSettings.Settings s) {
    ObjectNode out = NODES.objectNode();
    out.put("availability", s.availability().wireName());
    StatusText t = s.statusText();
    if (t == null) {
      out.putNull("status_text");
      out.putNull("expires_at");
    } else {
      out.put("status_text", t.text());
      if (t.expiresAt() == null) {
        out.putNull("expires_at");
      } else {
        out.put("expires_at", t.expiresAt().toString());
      }
    }
    out.put("hide_last_seen", s.hideLastSeen());
    // What others see now: offline while not connected and while invisible.
    out.put("status", registry.presenceOf(caller).map(UserPresence::status).orElse(Status.OFFLINE).wireName());
    return out;
  }
}
