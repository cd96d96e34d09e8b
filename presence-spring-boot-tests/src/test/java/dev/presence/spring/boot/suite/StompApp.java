package dev.presence.spring.boot.suite;

import dev.presence.spring.TokenHandshakeInterceptor;
import dev.presence.spring.UserResolver;
import java.security.Principal;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/** A STOMP application: simple broker with 200 ms heart-beats, token authentication. */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocketMessageBroker
@Import(TestSupport.RoomAudience.class)
public class StompApp implements WebSocketMessageBrokerConfigurer {

  @Bean
  ThreadPoolTaskScheduler brokerHeartbeatScheduler() {
    ThreadPoolTaskScheduler s = new ThreadPoolTaskScheduler();
    s.setPoolSize(1);
    s.setThreadNamePrefix("broker-heartbeat-");
    return s;
  }

  @Override
  public void registerStompEndpoints(StompEndpointRegistry registry) {
    registry.addEndpoint("/stomp")
        .setHandshakeHandler(new DefaultHandshakeHandler() {
          @Override
          protected Principal determineUser(ServerHttpRequest request, WebSocketHandler handler,
              Map<String, Object> attributes) {
            String user = (String) attributes.get(UserResolver.USER_ATTRIBUTE);
            return user == null ? null : () -> user;
          }
        })
        .addInterceptors(TokenHandshakeInterceptor.of(TestSupport::verify));
  }

  @Override
  public void configureMessageBroker(MessageBrokerRegistry registry) {
    registry.enableSimpleBroker("/queue", "/topic")
        .setHeartbeatValue(new long[] {200, 200})
        .setTaskScheduler(brokerHeartbeatScheduler());
  }
}
