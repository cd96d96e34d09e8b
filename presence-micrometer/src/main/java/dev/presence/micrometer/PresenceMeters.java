package dev.presence.micrometer;

import dev.presence.DisconnectReason;
import dev.presence.LastSeenStore;
import dev.presence.PresenceEvent;
import dev.presence.PresenceListener;
import dev.presence.PresenceRegistry;
import dev.presence.Subscription;
import dev.presence.WriteBehindLastSeenStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Binds presence meters to a Micrometer {@link MeterRegistry}. Usable without Spring: {@code
 * PresenceMeters.builder(registry).build().bindTo(meterRegistry)}. In Spring Boot, a bean of this
 * type is bound to every meter registry automatically.
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>meaning</th></tr>
 * <tr><td>presence.users.online</td><td>gauge</td><td></td><td>users online now</td></tr>
 * <tr><td>presence.sessions</td><td>gauge</td><td></td><td>live sessions now (this node)</td></tr>
 * <tr><td>presence.transitions</td><td>counter</td><td>direction=online|offline</td>
 *     <td>transitions delivered to listeners</td></tr>
 * <tr><td>presence.sessions.ended</td><td>counter</td><td>reason=closed|heartbeat_timeout|…</td>
 *     <td>sessions ended, per {@link DisconnectReason} ({@link PresenceRegistry#stats()})</td></tr>
 * <tr><td>presence.sessions.refused</td><td>counter</td><td>cause=capacity|unauthenticated</td>
 *     <td>connects refused by the registry's caps; sessions without a user (when a source is
 *     given)</td></tr>
 * <tr><td>presence.events.pending</td><td>gauge</td><td></td>
 *     <td>transitions queued for the listeners</td></tr>
 * <tr><td>presence.events.coalesced</td><td>counter</td><td></td>
 *     <td>events dropped in pairs under backlog (an offline and the next online)</td></tr>
 * <tr><td>presence.client_changes.refused</td><td>counter</td><td></td>
 *     <td>client {@code set_status}/{@code set_metadata} messages over the session's
 *     {@code clientChangeLimit}</td></tr>
 * <tr><td>presence.messages.sent</td><td>counter</td><td></td>
 *     <td>status messages written to clients (when a source is given)</td></tr>
 * <tr><td>presence.last_seen.pending</td><td>gauge</td><td></td>
 *     <td>users whose last-seen write waits in the write-behind</td></tr>
 * <tr><td>presence.last_seen.written</td><td>counter</td><td></td>
 *     <td>last-seen times the store accepted</td></tr>
 * <tr><td>presence.last_seen.dropped</td><td>counter</td><td></td>
 *     <td>writes refused because the write-behind queue was full</td></tr>
 * <tr><td>presence.last_seen.failures</td><td>counter</td><td></td>
 *     <td>batch writes the store failed (each retried)</td></tr>
 * <tr><td>presence.last_seen.write</td><td>timer</td><td></td>
 *     <td>batch write latency (with a {@link MonitoredLastSeenStore})</td></tr>
 * </table>
 *
 * <p>The transition counters count from a listener this object adds to the registry when it is
 * built (so a clustered registry's cluster-wide transitions are counted); {@link #close()} removes
 * it. The session and event counters read {@link PresenceRegistry#stats()}, which a registry that
 * does not implement it reports as zeros. Thread-safe.
 */
public final class PresenceMeters implements MeterBinder, AutoCloseable {
  private final PresenceRegistry registry;
  private final Iterable<Tag> tags;
  private final WriteBehindLastSeenStore writeBehind;
  private final MonitoredLastSeenStore monitored;
  private final LongSupplier sessionsRefused;
  private final LongSupplier messagesSent;
  private final LongAdder online = new LongAdder();
  private final LongAdder offline = new LongAdder();
  private final Subscription subscription;

  private PresenceMeters(Builder b) {
    this.registry = b.registry;
    this.tags = Tags.of(b.tags);
    this.writeBehind = b.writeBehind != null ? b.writeBehind : writeBehindOf(b.registry);
    this.monitored = b.monitored;
    this.sessionsRefused = b.sessionsRefused;
    this.messagesSent = b.messagesSent;
    this.subscription = registry.addListener(new Counting());
  }

  /**
   * Returns a builder for the meters of one registry.
   *
   * @param registry the presence registry
   * @return a new builder
   * @throws NullPointerException if {@code registry} is null
   */
  public static Builder builder(PresenceRegistry registry) {
    return new Builder(registry);
  }

  private static WriteBehindLastSeenStore writeBehindOf(PresenceRegistry registry) {
    LastSeenStore store = registry.lastSeenStore().orElse(null);
    return store instanceof WriteBehindLastSeenStore w ? w : null;
  }

  @Override
  public void bindTo(MeterRegistry meters) {
    PresenceRegistry r = registry;
    Gauge.builder("presence.users.online", r, PresenceRegistry::onlineUserCount)
        .description("Users online now").baseUnit("users").tags(tags).register(meters);
    Gauge.builder("presence.sessions", r, PresenceRegistry::totalSessionCount)
        .description("Live sessions now, on this node").baseUnit("sessions").tags(tags)
        .register(meters);
    FunctionCounter.builder("presence.transitions", online, LongAdder::doubleValue)
        .description("Presence transitions").tags(tags).tag("direction", "online").register(meters);
    FunctionCounter.builder("presence.transitions", offline, LongAdder::doubleValue)
        .description("Presence transitions").tags(tags).tag("direction", "offline").register(meters);
    for (DisconnectReason reason : DisconnectReason.values()) {
      FunctionCounter.builder("presence.sessions.ended", r, x -> x.stats().ended(reason))
          .description("Sessions ended, by reason").tags(tags)
          .tag("reason", reason.name().toLowerCase(Locale.ROOT)).register(meters);
    }
    FunctionCounter.builder("presence.sessions.refused", r, x -> x.stats().sessionsRefused())
        .description("Sessions refused").tags(tags).tag("cause", "capacity").register(meters);
    Gauge.builder("presence.events.pending", r, x -> x.stats().eventsPending())
        .description("Transitions queued for the listeners").tags(tags).register(meters);
    FunctionCounter.builder("presence.events.coalesced", r, x -> x.stats().eventsCoalesced())
        .description("Events dropped in pairs under backlog").tags(tags).register(meters);
    FunctionCounter.builder("presence.client_changes.refused", r, x -> x.stats().clientChangesRefused())
        .description("Client set_status/set_metadata messages refused by the session's rate limit")
        .tags(tags).register(meters);
    if (sessionsRefused != null) {
      FunctionCounter.builder("presence.sessions.refused", sessionsRefused, x -> x.getAsLong())
          .description("Sessions refused").tags(tags).tag("cause", "unauthenticated").register(meters);
    }
    counter(meters, "presence.messages.sent", "Status messages written to clients", messagesSent);
    WriteBehindLastSeenStore w = writeBehind;
    if (w != null) {
      Gauge.builder("presence.last_seen.pending", w, WriteBehindLastSeenStore::pendingCount)
          .description("Users whose last-seen write is queued").tags(tags).register(meters);
      FunctionCounter.builder("presence.last_seen.written", w, WriteBehindLastSeenStore::writtenCount)
          .description("Last-seen times written").tags(tags).register(meters);
      FunctionCounter.builder("presence.last_seen.dropped", w, WriteBehindLastSeenStore::droppedCount)
          .description("Last-seen writes dropped: queue full").tags(tags).register(meters);
      FunctionCounter.builder("presence.last_seen.failures", w,
              WriteBehindLastSeenStore::failedAttemptCount)
          .description("Last-seen batch writes that failed (retried)").tags(tags).register(meters);
    }
    MonitoredLastSeenStore m = monitored;
    if (m != null) {
      FunctionTimer.builder("presence.last_seen.write", m, MonitoredLastSeenStore::writeCount,
              MonitoredLastSeenStore::totalWriteNanos, TimeUnit.NANOSECONDS)
          .description("Last-seen batch writes to the store").tags(tags).register(meters);
    }
  }

  private void counter(MeterRegistry meters, String name, String description, LongSupplier source) {
    if (source != null) {
      FunctionCounter.builder(name, source, s -> s.getAsLong()).description(description)
          .tags(tags).register(meters);
    }
  }

  /** Removes the counting listener from the registry. Idempotent. */
  @Override
  public void close() {
    subscription.close();
  }

  @Override
  public String toString() {
    return "PresenceMeters(" + registry + ")";
  }

  private final class Counting implements PresenceListener {
    @Override
    public void onTransition(PresenceEvent event) {
      (event.online() ? online : offline).increment();
    }

    @Override
    public String toString() {
      return "PresenceMeters counting";
    }
  }

  /** Builds {@link PresenceMeters}. Not thread-safe. */
  public static final class Builder {
    private final PresenceRegistry registry;
    private final List<Tag> tags = new ArrayList<>();
    private WriteBehindLastSeenStore writeBehind;
    private MonitoredLastSeenStore monitored;
    private LongSupplier sessionsRefused;
    private LongSupplier messagesSent;

    private Builder(PresenceRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Adds tags to every meter, e.g. an application name.
     *
     * @param tags the tags
     * @return this builder
     * @throws NullPointerException if {@code tags} is null
     */
    public Builder tags(Iterable<Tag> tags) {
      Objects.requireNonNull(tags, "tags").forEach(this.tags::add);
      return this;
    }

    /**
     * Sets the write-behind whose queue is measured. Default: the registry's
     * {@link PresenceRegistry#lastSeenStore()} if it is one.
     *
     * @param store the write-behind
     * @return this builder
     * @throws NullPointerException if {@code store} is null
     */
    public Builder writeBehind(WriteBehindLastSeenStore store) {
      this.writeBehind = Objects.requireNonNull(store, "writeBehind");
      return this;
    }

    /**
     * Sets the monitored store whose write latency is timed.
     *
     * @param store the store
     * @return this builder
     * @throws NullPointerException if {@code store} is null
     */
    public Builder monitoredStore(MonitoredLastSeenStore store) {
      this.monitored = Objects.requireNonNull(store, "monitoredStore");
      return this;
    }

    /**
     * Sets where sessions refused for having no user are counted (an adapter's
     * {@code refusedCount()}); they appear as {@code presence.sessions.refused{cause=unauthenticated}}.
     *
     * @param source total since start; must be cheap and thread-safe
     * @return this builder
     * @throws NullPointerException if {@code source} is null
     */
    public Builder sessionsRefused(LongSupplier source) {
      this.sessionsRefused = Objects.requireNonNull(source, "sessionsRefused");
      return this;
    }

    /**
     * Sets where status messages sent are counted; without it there is no
     * {@code presence.messages.sent}.
     *
     * @param source total since start; must be cheap and thread-safe
     * @return this builder
     * @throws NullPointerException if {@code source} is null
     */
    public Builder messagesSent(LongSupplier source) {
      this.messagesSent = Objects.requireNonNull(source, "messagesSent");
      return this;
    }

    /**
     * Builds the meters and starts counting transitions.
     *
     * @return the binder
     */
    public PresenceMeters build() {
      return new PresenceMeters(this);
    }
  }
}
