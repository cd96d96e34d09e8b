package dev.presence;

import java.util.Collection;

/**
 * Who may hear about a user's status changes, e.g. the members of the threads they share.
 * Answered from memory: it is consulted on every transition and must not query a database.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Audience {

  /**
   * Returns the users who should be told when {@code userId} goes online or offline. May contain
   * {@code userId} itself and offline users; the broadcaster skips both.
   *
   * @param userId the user whose status changed
   * @return the audience; a snapshot the caller may iterate while the audience changes
   */
  Collection<String> audienceOf(String userId);
}
