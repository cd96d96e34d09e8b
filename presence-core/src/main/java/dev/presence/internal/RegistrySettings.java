package dev.presence.internal;

import dev.presence.LastSeenStore;
import dev.presence.PresencePolicy;
import dev.presence.RateLimit;
import dev.presence.Scheduler;
import dev.presence.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The validated settings of a {@link DefaultPresenceRegistry}, as the builder hands them over.
 * Immutable (the references it holds are the caller's).
 *
 * @param heartbeatInterval sweep period; null when the heartbeat is off
 * @param heartbeatTimeout silence after which a session is evicted
 * @param offlineGrace delay of the offline transition; zero for none
 * @param ticker monotonic time
 * @param clock wall time
 * @param scheduler timers; null for an owned daemon thread
 * @param lastSeenStore where offline times go; null for none
 * @param maxSessionsPerUser cap per user
 * @param maxSessions cap in total; {@link Integer#MAX_VALUE} for none
 * @param eventExecutor where listeners run; null for an owned daemon thread
 * @param maxPendingEvents backlog above which events coalesce
 * @param idleAfter inactivity after which a user is away; null when off
 * @param policy who may see what of whom
 * @param clientChangeLimit the rate of changes each session's client may ask for
 */
public record RegistrySettings(Duration heartbeatInterval, Duration heartbeatTimeout,
    Duration offlineGrace, Ticker ticker, Clock clock, Scheduler scheduler,
    LastSeenStore lastSeenStore, int maxSessionsPerUser, int maxSessions, Executor eventExecutor,
    int maxPendingEvents, Duration idleAfter, PresencePolicy policy, RateLimit clientChangeLimit) {}
