package dev.presence.internal;

import dev.presence.Availability;
import dev.presence.ClientMessage;
import dev.presence.PresencePolicy;
import dev.presence.PresenceUpdate;
import dev.presence.PresenceUpdate.Change;
import dev.presence.Scheduler;
import dev.presence.SessionInfo;
import dev.presence.Status;
import dev.presence.StatusText;
import dev.presence.UserPresence;
import dev.presence.Visibility;
import dev.presence.VisiblePresence;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rich-presence rules of a {@link DefaultPresenceRegistry}: availability and status text
 * (user-level), activity and automatic away, session metadata, the updates they fire, and the
 * views built from them (raw, and per viewer with the policy applied).
 *
 * <p><b>Aggregation.</b> Availability and status text belong to the user, not to a session:
 * the latest change from any session or from the host wins. Idleness is the most available
 * state across sessions: the user is idle only when <em>no</em> session showed activity for
 * {@code idleAfter}. Metadata belongs to each session.
 *
 * <p><b>Concurrency.</b> Every change of a user's state happens under the user's
 * {@link UserEntry} monitor, like the registry's own; updates are queued there and delivered
 * by the {@link EventDispatcher} after it is released. The one path without a lock is
 * {@link #activity}: two volatile writes, then a volatile read of {@code idle}; the idle timer
 * writes {@code idle} and then re-reads the activity time, so one of the two always sees the
 * other and an activity racing the timer never leaves the user idle.
 *
 * <p><b>Timers.</b> One idle timer per connected user (when {@code idleAfter} is set), which
 * reschedules itself to the latest activity plus {@code idleAfter}, so activity never touches
 * the scheduler; one expiry timer per user whose text expires. Both are generation- or
 * identity-guarded and cancelled when the user goes offline.
 *
 * <p>Thread-safe.
 */
final class UserStatus {
  private static final Logger LOG = LoggerFactory.getLogger(UserStatus.class);

  private final DefaultPresenceRegistry registry;
  private final EventDispatcher dispatcher;
  private final Scheduler scheduler;
  private final Clock clock;
  private final long idleAfterNanos; // 0 = off
  private final PresencePolicy policy;
  private final AtomicBoolean policyFailureLogged = new AtomicBoolean();

  UserStatus(DefaultPresenceRegistry registry, EventDispatcher dispatcher, Scheduler scheduler,
      Clock clock, Duration idleAfter, PresencePolicy policy) {
    this.registry = registry;
    this.dispatcher = dispatcher;
    this.scheduler = scheduler;
    this.clock = clock;
    this.idleAfterNanos = idleAfter == null ? 0 : idleAfter.toNanos();
    this.policy = policy;
  }

  // ---------------------------------------------------------------- sessions coming and going

  /**
   * Under the monitor, when the user gets their first session (not a reconnect within the
   * grace): a fresh user-level state from the connect options. Returns whether the user is
   * visible, i.e. the caller fires the online transition.
   */
  boolean startLocked(UserEntry e, Availability availability, StatusText text, long nowNanos) {
    e.availability = availability != null ? availability : Availability.AVAILABLE;
    Instant now = wallNow();
    e.statusText = text == null || text.isExpiredAt(now) ? null : text;
    if (e.statusText != null && e.statusText.expiresAt() != null) {
      scheduleExpiryLocked(e, e.statusText, now);
    }
    e.idle = false;
    markActiveLocked(e, nowNanos);
    if (idleAfterNanos > 0) {
      scheduleIdleLocked(e, idleAfterNanos);
    }
    return e.availability != Availability.INVISIBLE;
  }

  /**
   * Under the monitor, when a further session connects (or one is replaced, or a user in the
   * grace reconnects): that is activity. Returns whether the caller must schedule the entry.
   */
  boolean sessionAddedLocked(UserEntry e, long nowNanos) {
    markActiveLocked(e, nowNanos);
    return wakeLocked(e);
  }

  /** Under the monitor, when the user goes offline: everything user-level is dropped. */
  void resetLocked(UserEntry e) {
    if (e.idleTimer != null) {
      e.idleTimer.cancel();
      e.idleTimer = null;
    }
    e.idleGeneration++;
    if (e.textTimer != null) {
      e.textTimer.cancel();
      e.textTimer = null;
    }
    e.availability = Availability.AVAILABLE;
    e.statusText = null;
    e.idle = false;
    e.lastActiveMillis = UserEntry.UNKNOWN;
  }

  private void markActiveLocked(UserEntry e, long nowNanos) {
    e.lastActivityNanos = nowNanos;
    e.lastActiveMillis = clock.millis();
  }

  // ---------------------------------------------------------------- activity and idleness

  /**
   * A session showed activity. Lock-free unless the user was idle. Returns the ticker time it
   * recorded. The wall time is read before the ticker, so "last active" is never later than the
   * instant the idle timer judges by: a user found idle has been quiet for at least idleAfter by
   * both clocks.
   */
  long activity(UserEntry e) {
    long wall = clock.millis();
    long nowNanos = registry.ticker();
    e.recordActivity(nowNanos, wall);
    if (e.idle) {
      boolean schedule;
      synchronized (e) {
        if (e.removed || e.state == 0) {
          return nowNanos;
        }
        schedule = wakeLocked(e);
      }
      if (schedule) {
        dispatcher.schedule(e);
      }
    }
    return nowNanos;
  }

  /** Ends idleness (if idle); returns whether the caller must schedule the entry. */
  private boolean wakeLocked(UserEntry e) {
    if (!e.idle) {
      return false;
    }
    Status before = statusLocked(e);
    StatusText text = textLocked(e, wallNow());
    e.idle = false;
    scheduleIdleLocked(e, idleAfterNanos);
    return updateLocked(e, before, text, null);
  }

  private void scheduleIdleLocked(UserEntry e, long delayNanos) {
    if (e.idleTimer != null) {
      e.idleTimer.cancel();
    }
    long generation = ++e.idleGeneration;
    try {
      e.idleTimer = scheduler.schedule(() -> idleCheck(e, generation), Duration.ofNanos(delayNanos));
    } catch (RuntimeException ex) { // shutting down
      e.idleTimer = null;
      LOG.debug("Scheduler refused the idle timer of user '{}'", e.userId, ex);
    }
  }

  private void idleCheck(UserEntry e, long generation) {
    boolean schedule;
    synchronized (e) {
      if (e.idleGeneration != generation || e.removed || e.state == 0) {
        return;
      }
      e.idleTimer = null;
      long quiet = registry.ticker() - e.lastActivityNanos;
      if (quiet < idleAfterNanos) {
        scheduleIdleLocked(e, idleAfterNanos - quiet);
        return;
      }
      Status before = statusLocked(e);
      StatusText text = textLocked(e, wallNow());
      e.idle = true;
      quiet = registry.ticker() - e.lastActivityNanos; // re-read: see the class comment
      if (quiet < idleAfterNanos) {
        e.idle = false;
        scheduleIdleLocked(e, idleAfterNanos - quiet);
        return;
      }
      schedule = updateLocked(e, before, text, null);
    }
    if (schedule) {
      dispatcher.schedule(e);
    }
  }

  // ---------------------------------------------------------------- availability and text

  /** See {@link dev.presence.PresenceRegistry#setStatus}. */
  boolean setStatus(String userId, ClientMessage.SetStatus change) {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(change, "change");
    UserEntry e = registry.entry(userId);
    if (e == null) {
      return false;
    }
    int flags = 0;
    Instant offlineAt = null;
    synchronized (e) {
      if (e.removed || e.state == 0) {
        return false;
      }
      Instant now = wallNow();
      StatusText newText = change.statusText();
      if (change.setsStatusText() && newText != null && newText.expiresAt() != null
          && !newText.expiresAt().isAfter(now)) {
        throw new IllegalArgumentException("expiresAt must be in the future: " + newText.expiresAt());
      }
      Status before = statusLocked(e);
      StatusText textBefore = textLocked(e, now);
      boolean wasVisible = e.visible;
      Availability next = change.availability();
      if (next != null && next != e.availability) {
        Availability old = e.availability;
        e.availability = next;
        if (next == Availability.INVISIBLE && wasVisible) {
          offlineAt = e.state == UserEntry.GRACE && e.graceSince != null ? e.graceSince : now;
          flags |= registry.transitions().hideLocked(e, offlineAt);
        } else if (old == Availability.INVISIBLE) {
          flags |= registry.transitions().showLocked(e, now);
        }
      }
      if (change.setsStatusText()) {
        setTextLocked(e, newText, now);
      }
      if (wasVisible && e.visible && updateLocked(e, before, textBefore, null)) {
        flags |= Transitions.SCHEDULE;
      }
    }
    if ((flags & Transitions.RECORD_LAST_SEEN) != 0) {
      registry.transitions().recordLastSeen(userId, offlineAt);
    }
    if ((flags & Transitions.SCHEDULE) != 0) {
      dispatcher.schedule(e);
    }
    return true;
  }

  private void setTextLocked(UserEntry e, StatusText text, Instant now) {
    if (e.textTimer != null) {
      e.textTimer.cancel();
      e.textTimer = null;
    }
    e.statusText = text;
    if (text != null && text.expiresAt() != null) {
      scheduleExpiryLocked(e, text, now);
    }
  }

  private void scheduleExpiryLocked(UserEntry e, StatusText text, Instant now) {
    Duration delay = Duration.between(now, text.expiresAt());
    try {
      e.textTimer = scheduler.schedule(() -> expire(e, text), delay.isNegative() ? Duration.ZERO : delay);
    } catch (RuntimeException ex) { // shutting down; readers still check the clock
      LOG.debug("Scheduler refused the status-text timer of user '{}'", e.userId, ex);
    }
  }

  // Identity on purpose: this timer belongs to that StatusText instance. A text set again, even
  // an equal one, has a timer of its own, and this one must not clear it.
  @SuppressWarnings("ReferenceEquality")
  private void expire(UserEntry e, StatusText text) {
    boolean schedule;
    synchronized (e) {
      if (e.statusText != text || e.removed) {
        return; // replaced, cleared or gone meanwhile
      }
      Status before = statusLocked(e);
      e.textTimer = null;
      e.statusText = null;
      schedule = e.visible && updateLocked(e, before, text, null);
    }
    if (schedule) {
      dispatcher.schedule(e);
    }
  }

  /** Clears what is kept in memory about the user (their text and last active). */
  void forget(String userId) {
    UserEntry e = registry.entry(userId);
    if (e == null) {
      return;
    }
    boolean schedule;
    synchronized (e) {
      if (e.removed) {
        return;
      }
      Instant now = wallNow();
      Status before = statusLocked(e);
      StatusText textBefore = textLocked(e, now);
      setTextLocked(e, null, now);
      e.lastActiveMillis = UserEntry.UNKNOWN;
      schedule = e.visible && updateLocked(e, before, textBefore, null);
    }
    if (schedule) {
      dispatcher.schedule(e);
    }
  }

  // ---------------------------------------------------------------- metadata

  void metadata(LocalSession s, Map<String, String> metadata) {
    UserEntry e = s.entry;
    boolean schedule;
    synchronized (e) {
      if (s.closed || s.metadata.equals(metadata)) {
        return;
      }
      s.metadata = metadata;
      schedule = e.visible && updateLocked(e, statusLocked(e), textLocked(e, wallNow()), Change.METADATA);
    }
    if (schedule) {
      dispatcher.schedule(e);
    }
  }

  // ---------------------------------------------------------------- updates

  /**
   * Queues an update if the status or text differ from {@code before}/{@code textBefore}, or
   * {@code extra} is given. Only for a visible user (callers check). Returns whether the caller
   * must schedule the entry.
   */
  private boolean updateLocked(UserEntry e, Status before, StatusText textBefore, Change extra) {
    if (!e.visible) {
      return false;
    }
    Instant now = wallNow();
    Status status = statusLocked(e);
    StatusText text = textLocked(e, now);
    EnumSet<Change> changes = EnumSet.noneOf(Change.class);
    if (status != before) {
      changes.add(Change.STATUS);
    }
    if (!Objects.equals(text, textBefore)) {
      changes.add(Change.STATUS_TEXT);
    }
    if (extra != null) {
      changes.add(extra);
    }
    if (changes.isEmpty()) {
      return false;
    }
    return dispatcher.enqueueLocked(e, new PresenceUpdate(e.userId, status, text, lastActive(e), now, changes));
  }

  // ---------------------------------------------------------------- views

  /** What others see, before any policy. Under the monitor (or accepting a racy read). */
  static Status statusLocked(UserEntry e) {
    return Status.of(e.state != 0, e.availability, e.idle);
  }

  private static StatusText textLocked(UserEntry e, Instant now) {
    StatusText t = e.statusText;
    return t == null || t.isExpiredAt(now) ? null : t;
  }

  private static Instant lastActive(UserEntry e) {
    long millis = e.lastActiveMillis;
    return millis == UserEntry.UNKNOWN ? null : Instant.ofEpochMilli(millis);
  }

  Optional<UserPresence> presenceOf(String userId) {
    UserEntry e = userId == null ? null : registry.entry(userId);
    if (e == null) {
      return Optional.empty();
    }
    synchronized (e) {
      if (e.removed || e.state == 0) {
        return Optional.empty();
      }
      List<SessionInfo> sessions = new ArrayList<>();
      for (LocalSession s : e.snapshot()) {
        sessions.add(s.info());
      }
      return Optional.of(new UserPresence(e.userId, statusLocked(e), e.availability,
          textLocked(e, wallNow()), lastActive(e), sessions));
    }
  }

  Optional<Instant> lastActive(String userId) {
    UserEntry e = userId == null ? null : registry.entry(userId);
    if (e == null || e.state == 0) {
      return Optional.empty();
    }
    return Optional.ofNullable(lastActive(e));
  }

  VisiblePresence visiblePresence(String viewerId, String subjectId) {
    Objects.requireNonNull(viewerId, "viewerId");
    Objects.requireNonNull(subjectId, "subjectId");
    UserEntry e = registry.entry(subjectId);
    if (viewerId.equals(subjectId)) {
      if (e == null) {
        return VisiblePresence.offline(subjectId);
      }
      synchronized (e) {
        if (e.removed || e.state == 0) {
          return VisiblePresence.offline(subjectId);
        }
        Availability shown = e.availability == Availability.INVISIBLE ? Availability.AVAILABLE : e.availability;
        return new VisiblePresence(subjectId, true, Status.of(true, shown, e.idle),
            textLocked(e, wallNow()), lastActive(e), e.availability);
      }
    }
    if (e == null || !e.visible) {
      return VisiblePresence.offline(subjectId);
    }
    Visibility v = visibility(viewerId, subjectId);
    if (!v.presence()) {
      return VisiblePresence.offline(subjectId);
    }
    synchronized (e) {
      if (e.removed || !e.visible) {
        return VisiblePresence.offline(subjectId);
      }
      return new VisiblePresence(subjectId, true, statusLocked(e),
          v.statusText() ? textLocked(e, wallNow()) : null, v.lastSeen() ? lastActive(e) : null, null);
    }
  }

  Visibility visibility(String viewerId, String subjectId) {
    Objects.requireNonNull(subjectId, "subjectId");
    if (subjectId.equals(viewerId)) {
      return Visibility.ALL;
    }
    try {
      Visibility v = viewerId == null ? policy.anonymousVisibility(subjectId) : policy.visibility(viewerId, subjectId);
      return Objects.requireNonNull(v, "the policy returned null");
    } catch (RuntimeException ex) {
      if (policyFailureLogged.compareAndSet(false, true)) {
        LOG.warn("Presence policy {} failed for viewer '{}' and subject '{}'; hiding the subject"
            + " (logged once; later failures at DEBUG)", policy, viewerId, subjectId, ex);
      } else {
        LOG.debug("Presence policy {} failed for viewer '{}' and subject '{}'", policy, viewerId, subjectId, ex);
      }
      return Visibility.NONE;
    }
  }

  private Instant wallNow() {
    return Instant.ofEpochMilli(clock.millis());
  }
}
