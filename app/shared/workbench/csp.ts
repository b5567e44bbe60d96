/**
 * The Content-Security-Policy of the workbench page, the same in the desktop app and in web
 * mode: only the app's own scripts, no inline script or eval, no remote content.
 * `style-src 'unsafe-inline'` is for Monaco, which writes its styles at runtime; Monaco's
 * workers and fonts come from the app itself.
 */

/** What differs between shells. */
export interface CspOptions {
  /** Extra origins the page may connect to (the WebSocket of `weir serve`). */
  connect?: string[];
}

/**
 * The policy as a header value.
 *
 * @example
 * contentSecurityPolicy({ connect: ['ws://127.0.0.1:8471'] });
 */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${options.connect?.length ? ' ' + options.connect.join(' ') : ''}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
