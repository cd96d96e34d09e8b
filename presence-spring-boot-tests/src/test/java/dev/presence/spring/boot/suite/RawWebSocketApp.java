package dev.presence.spring.boot.suite;

import dev.presence.spring.SpringWebSocketPresence;
import dev.presence.spring.TokenHandshakeInterceptor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/** A raw WebSocket application: an echo handler with presence, token authentication, MongoDB. */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocket
@Import({TestSupport.RoomAudience.class, TestSupport.Mongo.class})
public class RawWebSocketApp implements WebSocketConfigurer {
  private final ObjectProvider<SpringWebSocketPresence> presence;

  RawWebSocketApp(ObjectProvider<SpringWebSocketPresence> presence) {
    this.presence = presence;
  }

  @Override
  public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
    registry.addHandler(presence.getObject().decorate(new Echo()), "/ws")
        .addInterceptors(TokenHandshakeInterceptor.of(TestSupport::verify));
  }

  /** Echoes every text, as {"type":"echo",...}. */
  static final class Echo extends TextWebSocketHandler {
    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
      session.sendMessage(new TextMessage("{\"type\":\"echo\",\"text\":" + message.getPayload() + "}"));
    }
  }
}
