package dev.presence.demo;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Puts the headers a page on the public internet should have on every response: a strict
 * Content-Security-Policy (scripts, styles and connections only from the page's own origin, no
 * inline script or style, no plugins, no framing, no form posts, no {@code <base>}),
 * {@code X-Frame-Options: DENY} for browsers without CSP frame-ancestors,
 * {@code X-Content-Type-Options: nosniff} and {@code Referrer-Policy: no-referrer}. The page
 * ({@code index.html}, {@code app.js}, {@code style.css}) has no inline script or style, so the
 * policy costs it nothing. Stateless, hence thread-safe.
 */
final class SecurityHeaders extends Handler.Wrapper {
  /** The Content-Security-Policy of every response. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; "
      + "style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; "
      + "form-action 'none'; frame-ancestors 'none'";

  SecurityHeaders(Handler next) {
    super(next);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    response.getHeaders().put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    response.getHeaders().put("X-Frame-Options", "DENY");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    return super.handle(request, response, callback);
  }
}
