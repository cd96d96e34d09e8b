package dev.presence;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one recipient of a {@link PresenceFanout} may see of one subject. Thread-safe: immutable,
 * and the policies it calls are thread-safe by contract.
 */
final class FanoutVisibility {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceFanout.class);

  private final PresenceRegistry registry;
  private final PresencePolicy policy;
  /** The default policy lets every member of a thread share one diff text. */
  private final boolean everyoneSeesEveryone;

  FanoutVisibility(PresenceRegistry registry, PresencePolicy policy) {
    this.registry = registry;
    this.policy = policy;
    this.everyoneSeesEveryone = policy == PresencePolicy.everyone();
  }

  /**
   * What {@code viewer} may see of {@code subject}: what both the registry's policy
   * ({@link PresenceRegistry#visibility}) and this fan-out's own, if one was set, allow. A subject
   * it may not see looks offline to it and is never in its diffs; status text and last active /
   * last seen are left out where not allowed. A policy that throws hides the subject.
   */
  Visibility of(String viewer, String subject) {
    Visibility v = registry.visibility(viewer, subject);
    if (!v.presence() || everyoneSeesEveryone) {
      return v;
    }
    try {
      return v.and(policy.visibility(viewer, subject));
    } catch (RuntimeException e) {
      LOG.warn("Presence policy {} failed for viewer '{}' and subject '{}'; hiding the subject",
          policy, viewer, subject, e);
      return Visibility.NONE;
    }
  }

  /** Whether {@code viewer} may see everything of every user in {@code g} (but itself). */
  boolean allFullyVisibleTo(String viewer, Diff.Group g) {
    for (String u : g.ids) {
      if (!u.equals(viewer) && !Visibility.ALL.equals(of(viewer, u))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "FanoutVisibility(" + policy + ")";
  }
}
