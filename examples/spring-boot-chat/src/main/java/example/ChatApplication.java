package example;

import dev.presence.ThreadMembership;
import dev.presence.spring.SpringWebSocketPresence;
import dev.presence.spring.TokenHandshakeInterceptor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * A chat server with presence: users connect to {@code /chat?access_token=…}, see who of their
 * threads' members is online, and are told when that changes. Try it with
 * {@code mvn spring-boot:run} and a WebSocket client on {@code ws://localhost:8080/chat?access_token=demo-alice}.
 */
@SpringBootApplication
@EnableWebSocket
public class ChatApplication implements WebSocketConfigurer {
  private final SpringWebSocketPresence presence;
  private final ThreadMembership threads;
  private final Tokens tokens;

  ChatApplication(SpringWebSocketPresence presence, ThreadMembership threads, Tokens tokens) {
    this.presence = presence;
    this.threads = threads;
    this.tokens = tokens;
  }

  public static void main(String[] args) {
    SpringApplication.run(ChatApplication.class, args);
  }

  // tag::audience[]
  /** Who hears about whom: the members of the threads a user is in (the starter picks it up). */
  @Bean
  static ThreadMembership threadMembership() {
    ThreadMembership m = new ThreadMembership();
    m.joinAll("general", java.util.List.of("alice", "bob", "carol"));
    return m;
  }
  // end::audience[]

  /** Replace with your token check (a JWT or HMAC verified locally). */
  @Bean
  static Tokens tokens() {
    return Tokens.demo();
  }

  // tag::register[]
  @Override
  public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
    registry.addHandler(presence.decorate(new ChatHandler(presence.registry(), threads)), "/chat")
        .addInterceptors(TokenHandshakeInterceptor.of(tokens::verify)) // token -> user, or 401
        .setAllowedOrigins("*");
  }
  // end::register[]
}
