package dev.presence;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * Decides what a viewer may see of a subject: online state and status, status text, last seen
 * and last active. Applied on every output path that serves a viewer: status fan-out
 * ({@link StatusBroadcaster}), enrichment ({@link ThreadEnricher#enrichFor}), and lookups made
 * for a viewer ({@link PresenceRegistry#visiblePresence}). A viewer always sees everything of
 * themselves: the library never asks the policy about {@code viewer == subject}.
 *
 * <p>Implementations must be thread-safe, fast and non-blocking (answer from memory: they are
 * called once per recipient of every status change). One that throws is treated as
 * {@link Visibility#NONE} for that pair (it fails closed) and logged.
 */
@FunctionalInterface
public interface PresencePolicy {

  /**
   * Returns what {@code viewerId} may see of {@code subjectId}.
   *
   * @param viewerId the user looking; never null, never equal to {@code subjectId}
   * @param subjectId the user looked at; never null
   * @return the visibility; never null
   */
  Visibility visibility(String viewerId, String subjectId);

  /**
   * Returns what a viewer whose identity is unknown may see of {@code subjectId}: used by calls
   * that name no viewer, such as {@link ThreadEnricher#enrich}. Only the subject's side of a
   * policy can apply then. The default is {@link Visibility#PRESENCE_ONLY}, so a custom policy
   * that does not override it never shows status texts or last seen to an unknown viewer; the
   * built-in policies override it.
   *
   * @param subjectId the user looked at; never null
   * @return the visibility; never null
   */
  default Visibility anonymousVisibility(String subjectId) {
    return Visibility.PRESENCE_ONLY;
  }

  /**
   * Returns a policy that allows only what both this and {@code other} allow.
   *
   * @param other another policy
   * @return the combined policy (thread-safe if both are)
   * @throws NullPointerException if {@code other} is null
   */
  default PresencePolicy and(PresencePolicy other) {
    Objects.requireNonNull(other, "other");
    PresencePolicy self = this;
    return new PresencePolicy() {
      @Override
      public Visibility visibility(String viewerId, String subjectId) {
        return self.visibility(viewerId, subjectId).and(other.visibility(viewerId, subjectId));
      }

      @Override
      public Visibility anonymousVisibility(String subjectId) {
        return self.anonymousVisibility(subjectId).and(other.anonymousVisibility(subjectId));
      }

      @Override
      public String toString() {
        return self + " and " + other;
      }
    };
  }

  /**
   * Returns the default policy: everyone sees everything ({@link Visibility#ALL}), including an
   * unknown viewer. Thread-safe.
   *
   * @return the policy
   */
  static PresencePolicy everyone() {
    return EveryonePolicy.INSTANCE;
  }

  /**
   * Returns the reciprocal "hide my last seen" policy (as in messengers): a subject who hides
   * theirs shows no last seen and no last active to anyone, and a viewer who hides theirs sees
   * no one's. Presence, status and status text stay visible to everyone. Thread-safe if the
   * predicate is.
   *
   * @param hidesLastSeen whether a user chose to hide their last seen; called on every check, so
   *     it must be a fast, non-blocking memory lookup
   * @return the policy
   * @throws NullPointerException if {@code hidesLastSeen} is null
   */
  static PresencePolicy hideLastSeen(Predicate<String> hidesLastSeen) {
    Objects.requireNonNull(hidesLastSeen, "hidesLastSeen");
    Visibility hidden = new Visibility(true, true, false);
    return new PresencePolicy() {
      @Override
      public Visibility visibility(String viewerId, String subjectId) {
        return hidesLastSeen.test(subjectId) || hidesLastSeen.test(viewerId) ? hidden : Visibility.ALL;
      }

      @Override
      public Visibility anonymousVisibility(String subjectId) {
        return hidesLastSeen.test(subjectId) ? hidden : Visibility.ALL;
      }

      @Override
      public String toString() {
        return "PresencePolicy.hideLastSeen(" + hidesLastSeen + ")";
      }
    };
  }
}
