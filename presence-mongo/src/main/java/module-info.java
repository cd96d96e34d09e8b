/** Presence on MongoDB: the last-seen store and the legacy-field cleanup. */
// The MongoDB driver jars are automatic modules (Automatic-Module-Name only); nothing to fix here.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.presence.mongo {
  requires transitive dev.presence;
  requires static transitive org.mongodb.driver.sync.client;
  // CommandCounter implements the driver's CommandListener: its types are part of our API.
  requires static transitive org.mongodb.driver.core;
  requires static org.mongodb.bson;
  requires org.slf4j;
  requires static transitive org.jspecify; // @Nullable appears in the API

  exports dev.presence.mongo;
}
