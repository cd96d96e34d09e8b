package dev.presence;

/** {@link PresencePolicy#everyone()}: everything visible. Stateless, hence thread-safe. */
enum EveryonePolicy implements PresencePolicy {
  INSTANCE;

  @Override
  public Visibility visibility(String viewerId, String subjectId) {
    return Visibility.ALL;
  }

  @Override
  public Visibility anonymousVisibility(String subjectId) {
    return Visibility.ALL;
  }

  @Override
  public String toString() {
    return "PresencePolicy.everyone()";
  }
}
