package dev.presence;

import dev.presence.internal.DefaultPresenceRegistry;
import dev.presence.internal.RegistrySettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Who is online right now: the in-memory set of live sessions per user, with a heartbeat that
 * evicts dead ones and listeners told of every transition.
 *
 * <p>A user is online while at least one of their sessions is live. With an offline grace, a
 * user whose last session ended stays online (with zero sessions) until the grace elapses, so
 * that {@link #isOnline} and the events always agree.
 *
 * <p>Listeners are told of transitions asynchronously, on the registry's event executor (by
 * default one daemon thread, "presence-events"), never on a connection thread or the heartbeat
 * thread, so that a slow listener delays only event delivery; see {@link PresenceListener} and
 * {@link Builder#eventExecutor} for the guarantees and the backlog bound.
 *
 * <p>Thread-safe: every method may be called from any thread. Lookups ({@link #isOnline},
 * {@link #sessionCount}) are lock-free and do not allocate.
 */
public interface PresenceRegistry extends AutoCloseable {

  /** The default of {@link Builder#clientChangeLimit}: 5 changes per 10 s per session. */
  RateLimit DEFAULT_CLIENT_CHANGE_LIMIT = new RateLimit(5, Duration.ofSeconds(10));

  /**
   * Returns a builder with the defaults: heartbeat every 30 s, timeout 60 s, no offline grace,
   * system ticker and UTC clock, one daemon thread for timers, one daemon thread for events, at
   * most 64 sessions per user and no cap in total, 10,000 pending events before coalescing, no
   * last-seen store.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Registers a live session. If it is the user's first, the user goes online and listeners are
   * told (unless the user was within the offline grace, in which case nothing fires).
   *
   * <p>If this user already has a live session with the same {@code sessionId}, the old one is
   * <b>replaced</b>: it is closed with {@link DisconnectReason#REPLACED} (its outbound is told to
   * close, its handle becomes closed) and no transition fires. Session ids are scoped per user.
   * A replacement is not a new session: it is allowed when the user is at a cap.
   *
   * @param userId the authenticated user; non-blank
   * @param sessionId the connection id, unique among this user's live sessions; non-blank
   * @param outbound how to reach this connection; must not block
   * @return the session handle; the host calls {@code touch()} on signs of life and
   *     {@code close()} when the connection ends
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code userId} or {@code sessionId} is blank
   * @throws SessionLimitException (an {@code IllegalStateException}) if the session would
   *     exceed {@code maxSessionsPerUser} or {@code maxSessions}; nothing is registered then
   * @throws IllegalStateException if the registry is closed
   */
  PresenceSession connect(String userId, String sessionId, Outbound outbound);

  /**
   * Registers a live session with options: its metadata, and the user's stored availability and
   * status text, applied before the user becomes visible if this is their first session (see
   * {@link ConnectOptions}). A user connecting with {@link Availability#INVISIBLE} never
   * appears online to anyone. Otherwise the same as {@link #connect(String, String, Outbound)}.
   *
   * @param userId the authenticated user; non-blank
   * @param sessionId the connection id; non-blank
   * @param outbound how to reach this connection; must not block
   * @param options the options
   * @return the session handle
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code userId} or {@code sessionId} is blank
   * @throws SessionLimitException if a session cap would be exceeded
   * @throws IllegalStateException if the registry is closed
   */
  PresenceSession connect(String userId, String sessionId, Outbound outbound, ConnectOptions options);

  /**
   * Returns whether the user is online in the <b>public</b> view: a lock-free hash lookup, no
   * allocation, no I/O. An {@link Availability#INVISIBLE} user is not online here (while
   * {@link #sessionCount} still counts their sessions). No policy is applied: for what one viewer
   * may see, use {@link #visiblePresence}.
   *
   * @param userId the user; null or unknown ids are simply offline
   * @return true if the user has a live session (or is within the offline grace) and is not
   *     invisible
   */
  boolean isOnline(String userId);

  /**
   * Returns which of the given users are online (public view: invisible users are not).
   *
   * @param userIds the users to check; null elements are ignored
   * @return a new mutable set (a snapshot) of the online users among {@code userIds}
   * @throws NullPointerException if {@code userIds} is null
   */
  Set<String> onlineAmong(Collection<String> userIds);

  /**
   * Returns the number of live sessions of one user (on this node).
   *
   * @param userId the user
   * @return the count; 0 for unknown users and during the offline grace
   */
  int sessionCount(String userId);

  /**
   * Returns how many users are online. A counter, not a scan: while transitions are in flight
   * on other threads it may momentarily disagree with {@link #isOnline}; it is exact whenever
   * none is.
   *
   * @return the count at the moment of the call
   */
  int onlineUserCount();

  /**
   * Returns how many sessions are live, all users together (on this node). Like
   * {@link #onlineUserCount()}, exact whenever no connect or close is in flight.
   *
   * @return the count at the moment of the call
   */
  int totalSessionCount();

  /**
   * Returns the online users (public view: invisible users are not among them).
   *
   * @return a new immutable set (a snapshot); not updated afterwards
   */
  Set<String> onlineUsers();

  /**
   * Sends {@code text} to every live session of the user (every tab, every device) on this node.
   *
   * @param userId the user
   * @param text the message
   * @return how many sessions it was handed to; 0 if none
   * @throws NullPointerException if {@code text} is null
   */
  int sendToUser(String userId, String text);

  /**
   * Adds a listener of transitions.
   *
   * @param listener the listener; see {@link PresenceListener} for the delivery guarantees
   * @return a subscription whose {@code close()} removes the listener
   * @throws NullPointerException if {@code listener} is null
   */
  Subscription addListener(PresenceListener listener);

  /**
   * Returns a snapshot of the registry's counters for metrics. Cheap: reads counters, takes no
   * lock. The default implementation knows only {@link #onlineUserCount()} and
   * {@link #totalSessionCount()} and reports 0 for the rest.
   *
   * @return a new immutable snapshot
   */
  default PresenceStats stats() {
    return new PresenceStats(onlineUserCount(), totalSessionCount(), 0, 0, Map.of(), 0, 0, 0);
  }

  /**
   * Sets a user's availability and/or status text in one change: user-level, for all their
   * sessions (a {@code busy} set on one device applies to the user). Fires at most one update
   * for the change, or a transition when it makes the user invisible (offline; last seen is
   * written then) or visible again (online). Kept only while the user is known (has a session or
   * is within the offline grace); for anyone else nothing is kept and false is returned: hosts
   * that persist preferences pass them at connect ({@link ConnectOptions}).
   *
   * @param userId the user
   * @param change the availability (null to keep it) and whether and how to set the text
   * @return true if the user is known and the change was applied (even if it changed nothing)
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the status text's expiry is not after the registry's
   *     clock ({@code expiresAt must be in the future: ...}); nothing changes then
   */
  boolean setStatus(String userId, ClientMessage.SetStatus change);

  /**
   * Sets a user's availability: {@code setStatus(userId, new SetStatus(availability, false, null))}.
   *
   * @param userId the user
   * @param availability the new availability
   * @return true if the user is known (see {@link #setStatus})
   * @throws NullPointerException if an argument is null
   */
  default boolean setAvailability(String userId, Availability availability) {
    Objects.requireNonNull(availability, "availability");
    return setStatus(userId, new ClientMessage.SetStatus(availability, false, null));
  }

  /**
   * Sets or clears a user's status text: {@code setStatus(userId, new SetStatus(null, true, text))}.
   * When an expiring text expires, it is cleared with an update.
   *
   * @param userId the user
   * @param statusText the new text, or null to clear it
   * @return true if the user is known (see {@link #setStatus})
   * @throws NullPointerException if {@code userId} is null
   * @throws IllegalArgumentException if the text's expiry is not in the future
   */
  default boolean setStatusText(String userId, @Nullable StatusText statusText) {
    return setStatus(userId, new ClientMessage.SetStatus(null, true, statusText));
  }

  /**
   * Returns the raw, unfiltered presence of a user on this node, with invisibility shown as it is
   * and every session's metadata: for trusted code (the user themselves, admin tools), never to
   * be sent to another user as it is.
   *
   * @param userId the user
   * @return a snapshot, or empty if the user has no session and is not within the offline grace
   */
  Optional<UserPresence> presenceOf(String userId);

  /**
   * Returns what {@code viewerId} may see of {@code subjectId}: invisibility and the
   * {@link PresencePolicy} applied. A subject who is offline, invisible or hidden from the viewer
   * is {@link VisiblePresence#offline}. A viewer sees all of themselves.
   *
   * @param viewerId the user looking
   * @param subjectId the user looked at
   * @return a new snapshot
   * @throws NullPointerException if an argument is null
   */
  VisiblePresence visiblePresence(String viewerId, String subjectId);

  /**
   * Returns what {@code viewerId} may see of {@code subjectId} according to the registry's
   * {@link PresencePolicy}: {@link Visibility#ALL} for the viewer themselves,
   * {@link PresencePolicy#anonymousVisibility} for a null viewer, and {@link Visibility#NONE} if
   * the policy throws (logged). Does not look at the subject's state (see
   * {@link #visiblePresence} for that).
   *
   * @param viewerId the user looking, or null for an unknown viewer
   * @param subjectId the user looked at
   * @return the visibility
   * @throws NullPointerException if {@code subjectId} is null
   */
  Visibility visibility(@Nullable String viewerId, String subjectId);

  /**
   * Returns the wall time of the user's latest activity on this node (raw: no policy). A session
   * connecting counts as activity.
   *
   * @param userId the user
   * @return the time, or empty if the user has no session and is not within the offline grace
   */
  Optional<Instant> lastActive(String userId);

  /**
   * Erases what is kept about users, the GDPR path: their status text and last active time in
   * memory, and their last-seen times in the last-seen store (see {@link LastSeenStore#forget}:
   * no write queued before the call can bring one back). Blocking: it waits for the store. A
   * user who is still connected keeps their sessions; what they do afterwards is new data.
   *
   * @param userIds the users; null elements are ignored
   * @throws NullPointerException if {@code userIds} is null
   * @throws RuntimeException what the store threw; repeating the call is safe
   */
  void forget(Collection<String> userIds);

  /**
   * Returns the rate of changes each session's client may ask for
   * ({@link Builder#clientChangeLimit}), enforced by {@link PresenceSession#tryClientChange()}.
   * The default implementation returns {@link #DEFAULT_CLIENT_CHANGE_LIMIT}.
   *
   * @return the limit
   */
  default RateLimit clientChangeLimit() {
    return DEFAULT_CLIENT_CHANGE_LIMIT;
  }

  /**
   * Returns the last-seen store the registry writes to, if one was configured. When the
   * configured store could block, this is the write-behind wrapper around it, so reading through
   * it also sees writes still queued.
   *
   * @return the store, or empty
   */
  Optional<LastSeenStore> lastSeenStore();

  /**
   * Closes the registry: stops the heartbeat, ends every session with
   * {@link DisconnectReason#REGISTRY_CLOSED} (users go offline, outbounds are closed), flushes
   * the last-seen write-behind it created (waiting for the store at most that write-behind's
   * close timeout, 10 s: see {@link WriteBehindLastSeenStore#close()}), then delivers the events
   * still queued: on the event
   * thread it owns, waiting at most 5 s for listeners before it stops that thread (events not
   * delivered by then are logged as dropped); on an executor given to
   * {@link Builder#eventExecutor}, without waiting. Idempotent.
   */
  @Override
  void close();

  /**
   * Builds a {@link PresenceRegistry}. Every setter validates its value at once; settings that
   * conflict are reported by {@link #build()}. Not thread-safe.
   */
  final class Builder {
    private Duration heartbeatInterval = Duration.ofSeconds(30);
    private Duration heartbeatTimeout;
    private boolean heartbeatEnabled = true;
    private Duration offlineGrace = Duration.ZERO;
    private Ticker ticker = Ticker.system();
    private Clock clock = Clock.systemUTC();
    private Scheduler scheduler;
    private LastSeenStore lastSeenStore;
    private Duration idleAfter;
    private PresencePolicy policy = PresencePolicy.everyone();
    private int maxSessionsPerUser = 64;
    private int maxSessions = Integer.MAX_VALUE;
    private Executor eventExecutor;
    private int maxPendingEvents = 10_000;
    private RateLimit clientChangeLimit = DEFAULT_CLIENT_CHANGE_LIMIT;

    Builder() {}

    /**
     * Sets how often every session is pinged and checked. Default 30 s.
     *
     * @param interval a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code interval} is zero or negative
     */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = positive("heartbeatInterval", interval);
      return this;
    }

    /**
     * Sets how long a session may show no sign of life before it is evicted. Default twice the
     * interval. Must be longer than the interval, or a client answering every ping would still
     * be evicted.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public Builder heartbeatTimeout(Duration timeout) {
      this.heartbeatTimeout = positive("heartbeatTimeout", timeout);
      return this;
    }

    /**
     * Turns the heartbeat off: sessions then end only when the host closes them. For hosts whose
     * transport already detects dead peers.
     *
     * @return this builder
     */
    public Builder withoutHeartbeat() {
      this.heartbeatEnabled = false;
      return this;
    }

    /**
     * Sets how long the offline transition waits after a user's last session ends; a reconnect
     * within it cancels the offline and fires nothing. Default zero (offline at once).
     *
     * @param grace zero or a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public Builder offlineGrace(Duration grace) {
      Objects.requireNonNull(grace, "offlineGrace");
      if (grace.isNegative()) {
        throw new IllegalArgumentException("offlineGrace must not be negative: " + grace);
      }
      this.offlineGrace = grace;
      return this;
    }

    /**
     * Sets the monotonic time source for timeouts and grace. Default {@link Ticker#system()}.
     *
     * @param ticker the ticker
     * @return this builder
     * @throws NullPointerException if {@code ticker} is null
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Sets the wall clock used to stamp events and last-seen times. Default UTC system clock.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the scheduler for heartbeat sweeps and grace timers. Default: one daemon thread owned
     * (and stopped) by the registry. A scheduler passed here is not closed by the registry.
     *
     * @param scheduler the scheduler
     * @return this builder
     * @throws NullPointerException if {@code scheduler} is null
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Sets where a user's offline time is recorded ("last seen"). Written once per offline
     * transition, never on connect or heartbeat. A store that may block (its {@link
     * LastSeenStore#blocksCaller()} is true, the default) is wrapped in a write-behind with
     * default settings and a writer thread of its own, owned and flushed by the registry on
     * close; a store that does not block (such as {@link LastSeenStore#inMemory()} or a {@link
     * WriteBehindLastSeenStore}) is called directly, on the thread that ends the session.
     *
     * @param store the store
     * @return this builder
     * @throws NullPointerException if {@code store} is null
     */
    public Builder lastSeenStore(LastSeenStore store) {
      this.lastSeenStore = Objects.requireNonNull(store, "lastSeenStore");
      return this;
    }

    /**
     * Sets how many live sessions one user may have on this node. A connect beyond it throws
     * {@link SessionLimitException} and registers nothing; replacing a session (same session id)
     * is always allowed. Default 64.
     *
     * @param max a positive count
     * @return this builder
     * @throws IllegalArgumentException if {@code max} is zero or negative
     */
    public Builder maxSessionsPerUser(int max) {
      this.maxSessionsPerUser = positive("maxSessionsPerUser", max);
      return this;
    }

    /**
     * Sets how many live sessions all users together may have on this node. A connect beyond it
     * throws {@link SessionLimitException} and registers nothing. Default unbounded.
     *
     * @param max a positive count
     * @return this builder
     * @throws IllegalArgumentException if {@code max} is zero or negative
     */
    public Builder maxSessions(int max) {
      this.maxSessions = positive("maxSessions", max);
      return this;
    }

    /**
     * Sets where listeners run. Default: one daemon thread, "presence-events", owned by the
     * registry, started on the first event and stopped by {@link PresenceRegistry#close()}
     * after the queued events are delivered. Events are handed to the executor one delivery
     * task at a time (so a multi-threaded executor does not run listeners in parallel); per
     * user they stay in order, each delivered once. An executor given here is not shut down by
     * the registry. {@code Runnable::run} delivers on the thread that caused the transition,
     * after the registry's locks are released (for tests; it gives up the isolation of a slow
     * listener from connection and heartbeat threads). If the executor rejects a task, the
     * events are delivered on the calling thread (logged once).
     *
     * @param executor the executor
     * @return this builder
     * @throws NullPointerException if {@code executor} is null
     */
    public Builder eventExecutor(Executor executor) {
      this.eventExecutor = Objects.requireNonNull(executor, "eventExecutor");
      return this;
    }

    /**
     * Sets how many undelivered events may queue up before the registry starts coalescing them.
     * Below it, listeners get every transition. At or above it, an undelivered offline event of
     * a user followed by an online event of the same user cancel out (neither is delivered, both
     * are counted in {@link PresenceStats#eventsCoalesced()}, logged once per episode), so each
     * user's events still alternate and end in the user's current state, and the backlog cannot
     * exceed this bound plus one event per user. Default 10,000.
     *
     * @param max a positive count
     * @return this builder
     * @throws IllegalArgumentException if {@code max} is zero or negative
     */
    public Builder maxPendingEvents(int max) {
      this.maxPendingEvents = positive("maxPendingEvents", max);
      return this;
    }

    /**
     * Turns on automatic away: a user with no activity ({@link PresenceSession#activity()}, or a
     * session connecting) on any of their sessions for this long shows {@link Status#AWAY}
     * (unless they chose busy or away) until their next activity. Pings and pongs are liveness,
     * not activity. Default off.
     *
     * @param idleAfter a positive duration
     * @return this builder
     * @throws IllegalArgumentException if zero or negative
     */
    public Builder idleAfter(Duration idleAfter) {
      this.idleAfter = positive("idleAfter", idleAfter);
      return this;
    }

    /**
     * Sets who may see what of whom, applied on every output path that serves a viewer. Default
     * {@link PresencePolicy#everyone()}.
     *
     * @param policy the policy; must be fast and non-blocking
     * @return this builder
     * @throws NullPointerException if {@code policy} is null
     */
    public Builder policy(PresencePolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets how many changes the client of one session may ask for: {@code set_status} and
     * {@code set_metadata} messages applied by {@link PresenceProtocol#handle}, each of which makes
     * the registry tell the user's whole audience (or its listeners). A per-session token bucket
     * on the registry's ticker: {@code permits} at once, then one every {@code per / permits}.
     * A message over the limit is answered with an {@code error} ({@code rate_limited}, naming the
     * limit), changes nothing, and is counted ({@link PresenceStats#clientChangesRefused()}).
     * Calls the host makes itself ({@link #setStatus}, {@link PresenceSession#metadata(Map)}) are
     * not limited; {@code activity} and {@code pong} never are. Default 5 per 10 s.
     *
     * @param permits the burst, and the changes per {@code per}; positive
     * @param per the period; positive, at most a day
     * @return this builder
     * @throws NullPointerException if {@code per} is null
     * @throws IllegalArgumentException if a value is out of range (named in the message, e.g.
     *     {@code clientChangeLimit permits must be positive: 0})
     */
    public Builder clientChangeLimit(int permits, Duration per) {
      try {
        this.clientChangeLimit = new RateLimit(permits, per);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("clientChangeLimit " + e.getMessage(), e);
      } catch (NullPointerException e) {
        throw new NullPointerException("clientChangeLimit per");
      }
      return this;
    }

    /**
     * Builds the registry and starts its heartbeat.
     *
     * @return a new registry
     * @throws IllegalStateException if the heartbeat timeout is not longer than the interval
     */
    public PresenceRegistry build() {
      Duration timeout = heartbeatTimeout != null ? heartbeatTimeout : heartbeatInterval.multipliedBy(2);
      if (heartbeatEnabled && timeout.compareTo(heartbeatInterval) <= 0) {
        throw new IllegalStateException("heartbeatTimeout (" + timeout
            + ") must be longer than heartbeatInterval (" + heartbeatInterval + ")");
      }
      if (!heartbeatEnabled && heartbeatTimeout != null) {
        throw new IllegalStateException("heartbeatTimeout (" + heartbeatTimeout
            + ") is set but the heartbeat is disabled");
      }
      return new DefaultPresenceRegistry(new RegistrySettings(
          heartbeatEnabled ? heartbeatInterval : null, timeout, offlineGrace, ticker, clock,
          scheduler, lastSeenStore, maxSessionsPerUser, maxSessions, eventExecutor,
          maxPendingEvents, idleAfter, policy, clientChangeLimit));
    }

    private static int positive(String name, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }
  }
}
