package dev.presence.demo;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Refuses the WebSocket handshake itself (HTTP 401, no upgrade) when {@code /ws} is requested
 * without a valid {@code token} query parameter. Jakarta WebSocket offers no way to refuse from a
 * configurator, and a socket that opens and is closed at once looks "connected" to a client for a
 * moment; this handler runs before the servlet layer. Thread-safe.
 */
final class WebSocketTokenGate extends Handler.Wrapper {
  private final Tokens tokens;

  WebSocketTokenGate(Tokens tokens, Handler next) {
    super(next);
    this.tokens = tokens;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if ("/ws".equals(Request.getPathInContext(request))) {
      Fields params = Request.extractQueryParameters(request);
      Fields.Field token = params.get("token");
      if (token == null || tokens.verify(token.getValue()) == null) {
        Response.writeError(request, response, callback, 401,
            token == null ? "missing token" : "invalid token");
        return true;
      }
    }
    return super.handle(request, response, callback);
  }
}
