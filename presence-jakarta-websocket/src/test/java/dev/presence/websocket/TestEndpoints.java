package dev.presence.websocket;

import dev.presence.Availability;
import dev.presence.ConnectOptions;
import dev.presence.PresenceSession;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The endpoints the behavioural suite deploys on each container: a host's annotated endpoint, a
 * programmatic {@link PresenceEndpoint} subclass, and a path-parameter endpoint. Public because
 * the containers instantiate them reflectively.
 */
public final class TestEndpoints {
  /** Where the endpoints find the integration of the running test (set per test). */
  static volatile WebSocketPresence presence;
  /** The integration of the {@code /trusting/{client_id}} endpoint. */
  static volatile WebSocketPresence trusting;
  /** The last container session opened on {@code /annotated}, per user. */
  /** A host's stored "appear offline" preference: these users connect invisible. */
  static final Set<String> APPEAR_OFFLINE = ConcurrentHashMap.newKeySet();
  static final Map<String, Session> OPENED = new ConcurrentHashMap<>();

  private TestEndpoints() {}

  /** Every annotated endpoint class the suite uses. */
  static List<Class<?>> annotated() {
    return List.of(AnnotatedEndpoint.class, TrustingEndpoint.class, SecureEndpoint.class);
  }

  /** Every programmatic endpoint configuration the suite uses. */
  static List<ServerEndpointConfig> programmatic() {
    return List.of(ServerEndpointConfig.Builder.create(ProgrammaticEndpoint.class, "/programmatic")
        .configurator(new TokenConfigurator())
        .build());
  }

  /**
   * A stand-in for a host's token check: {@code ?token=valid-<user>} is valid for that user,
   * anything else (or no token) is not.
   */
  public static final class TokenConfigurator extends PresenceConfigurator {
    /** Used by the containers. */
    public TokenConfigurator() {
      super(request -> {
        List<String> tokens = request.getParameterMap().get("token");
        if (tokens == null || tokens.size() != 1 || !tokens.get(0).startsWith("valid-")) {
          return null;
        }
        return tokens.get(0).substring("valid-".length());
      }, HandshakeOptions.queryParameters("device")
          .and(HandshakeOptions.header("X-App-Version", "app"))
          .and((request, userId) -> APPEAR_OFFLINE.contains(userId)
              ? ConnectOptions.defaults().withAvailability(Availability.INVISIBLE)
              : ConnectOptions.defaults()));
    }
  }

  /** What a host adds to its existing annotated endpoint: four one-line calls. */
  @ServerEndpoint(value = "/annotated", configurator = TokenConfigurator.class)
  public static final class AnnotatedEndpoint {
    /** Used by the containers. */
    public AnnotatedEndpoint() {}

    /**
     * Registers the session.
     *
     * @param session the session
     * @param config its configuration
     */
    @OnOpen
    public void open(Session session, EndpointConfig config) {
      PresenceSession p = presence.onOpen(session, config);
      if (p == null) {
        return; // refused
      }
      OPENED.put(p.userId(), session);
    }

    /**
     * Echoes non-pong texts as {@code echo:<text>}, through the presence queue; answers {@code
     * big:<n>} with a text of n bytes (as a host echoing a client's long field would), and
     * throws on {@code fail} (a host bug: the container reports it to {@code @OnError}).
     *
     * @param session the session
     * @param text the message
     */
    @OnMessage
    public void message(Session session, String text) {
      if (presence.onText(session, text)) {
        return;
      }
      if (text.startsWith("big:")) {
        presence.send(session, "x".repeat(Integer.parseInt(text.substring(4))));
      } else if (text.equals("fail")) {
        throw new IllegalStateException("a host bug, on purpose");
      } else {
        presence.send(session, "echo:" + text);
      }
    }

    /**
     * Ends the presence.
     *
     * @param session the session
     */
    @OnClose
    public void close(Session session) {
      presence.onClose(session);
    }

    /**
     * Ends the presence.
     *
     * @param session the session
     * @param error the error
     */
    @OnError
    public void error(Session session, Throwable error) {
      presence.onError(session, error);
    }
  }

  /** The programmatic style: extend {@link PresenceEndpoint}. */
  public static final class ProgrammaticEndpoint extends PresenceEndpoint {
    /** Used by the containers. */
    public ProgrammaticEndpoint() {
      super(presence);
    }

    @Override
    protected void onText(Session session, String text) {
      presence().send(session, "echo:" + text);
    }
  }

  /**
   * Behind the container's own BASIC authentication ({@link PresenceContainerSuite#SECURE_PATHS},
   * user {@code erin}): no configurator, so the default resolver takes the authenticated
   * principal.
   */
  @ServerEndpoint("/secure/annotated")
  public static final class SecureEndpoint {
    /** Used by the containers. */
    public SecureEndpoint() {}

    /**
     * Registers the session.
     *
     * @param session the session
     * @param config its configuration
     */
    @OnOpen
    public void open(Session session, EndpointConfig config) {
      presence.onOpen(session, config);
    }

    /**
     * Ends the presence.
     *
     * @param session the session
     */
    @OnClose
    public void close(Session session) {
      presence.onClose(session);
    }
  }

  /** Identity from the path; trusts the client (compatibility only). */
  @ServerEndpoint("/trusting/{client_id}")
  public static final class TrustingEndpoint {
    /** Used by the containers. */
    public TrustingEndpoint() {}

    /**
     * Registers the session.
     *
     * @param session the session
     * @param config its configuration
     */
    @OnOpen
    public void open(Session session, EndpointConfig config) {
      trusting.onOpen(session, config);
    }

    /**
     * Records a sign of life.
     *
     * @param session the session
     * @param text the message
     */
    @OnMessage
    public void message(Session session, String text) {
      trusting.onText(session, text);
    }

    /**
     * Ends the presence.
     *
     * @param session the session
     */
    @OnClose
    public void close(Session session) {
      trusting.onClose(session);
    }

    /**
     * Ends the presence.
     *
     * @param session the session
     * @param error the error
     */
    @OnError
    public void error(Session session, Throwable error) {
      trusting.onError(session, error);
    }
  }
}
