/** Presence on MongoDB: the last-seen store and the legacy-field cleanup. */
module dev.presence.mongo {
  requires transitive dev.presence;
  requires static transitive org.mongodb.driver.sync.client;
  requires static org.mongodb.driver.core;
  requires static org.mongodb.bson;
  requires org.slf4j;

  exports dev.presence.mongo;
}
