package dev.presence.spring.boot.suite;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.presence.test.EmbeddedMongo;
import dev.presence.Audience;
import dev.presence.PresenceRegistry;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Fixtures shared by the Boot test applications. */
final class TestSupport {
  /** A token is "t-" + the user id; anything else is refused. */
  static String verify(String token) {
    return token.startsWith("t-") && token.length() > 2 ? token.substring(2) : null;
  }

  /** The room of a user id "room-name" is "room": members of a room hear about each other. */
  static String roomOf(String userId) {
    int dash = userId.indexOf('-');
    return dash < 0 ? userId : userId.substring(0, dash);
  }

  static int port(Environment env) {
    return Integer.parseInt(env.getRequiredProperty("local.server.port"));
  }

  private TestSupport() {}

  /** Everyone online in the same room. */
  @Configuration(proxyBeanMethods = false)
  static class RoomAudience {
    @Bean
    Audience roomAudience(PresenceRegistry registry) {
      return user -> registry.onlineUsers().stream()
          .filter(u -> roomOf(u).equals(roomOf(user))).collect(Collectors.toList());
    }
  }

  /** An in-memory MongoDB on loopback and a client with short timeouts. */
  @Configuration(proxyBeanMethods = false)
  static class Mongo {
    @Bean(destroyMethod = "close")
    EmbeddedMongo mongoServer() {
      return EmbeddedMongo.start();
    }

    @Bean(destroyMethod = "close")
    MongoClient mongoClient(EmbeddedMongo server) {
      return MongoClients.create(MongoClientSettings.builder()
          .applyConnectionString(new ConnectionString(server.uri()))
          .applyToClusterSettings(b -> b.serverSelectionTimeout(500, TimeUnit.MILLISECONDS))
          .applyToSocketSettings(b -> b.connectTimeout(500, TimeUnit.MILLISECONDS)
              .readTimeout(1000, TimeUnit.MILLISECONDS))
          .build());
    }
  }
}
