/** Any origin: only used to resolve a relative path and check that it stays on it. */
const BASE = 'https://loopshop.invalid';

/**
 * The page to return to after signing in, from `?next=` (or a router state): a same-origin
 * relative path only. Anything else — an absolute or protocol-relative URL (`https://evil`,
 * `//evil`, `/\evil`), a control character, the sign-in and sign-up pages themselves — is
 * ignored (null), so a link cannot send a visitor off the site after signing in.
 */
export function safeReturnPath(raw: unknown): string | null {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//')) return null;
  // Browsers read a backslash as a slash in URLs, and strip tabs and newlines from them.
  if (raw.includes('\\') || [...raw].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return null;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  if (/^\/sign-(in|up)(\/|$)/.test(url.pathname)) return null;
  return url.pathname + url.search + url.hash;
}

/** The sign-in page, asked to come back to `returnTo` afterwards. */
export function signInPath(returnTo: string): string {
  const next = safeReturnPath(returnTo);
  return next && next !== '/' ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in';
}
