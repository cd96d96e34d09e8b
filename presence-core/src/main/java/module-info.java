/**
 * Presence core: who is online right now. Exports only the API package; the implementation
 * ({@code dev.presence.internal}) is not exported and may change in any release.
 */
module dev.presence {
  requires transitive com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires static transitive org.jspecify; // @NullMarked / @Nullable in the API

  exports dev.presence;
}
