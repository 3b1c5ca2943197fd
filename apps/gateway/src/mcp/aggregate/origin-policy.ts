const loopbackHostnames = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The Host header as a URL would write it (lower case, no default port), or undefined. */
function hostOf(protocol: string, host: string | undefined): string | undefined {
  if (!host) return undefined;
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return undefined;
  }
}

export type OriginVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * Which browser pages may call `/mcp`: the transport spec's defence against DNS rebinding.
 *
 * A request with no Origin comes from a non-browser client and is allowed. A page is allowed when
 * its origin is in the allow-list, or when it is on the gateway's own host and that host is a
 * loopback name. Matching Origin against Host alone would prove nothing: a rebinding page at
 * `evil.example` sends `Host: evil.example` and `Origin: http://evil.example` alike.
 */
export class OriginPolicy {
  private readonly allowed: Set<string>;

  constructor(allowedOrigins: readonly string[]) {
    this.allowed = new Set(allowedOrigins.map((origin) => new URL(origin).origin));
  }

  check(origin: string | undefined, host: string | undefined): OriginVerdict {
    if (origin === undefined) return { allowed: true };
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return { allowed: false, reason: `The Origin header "${origin.slice(0, 200)}" is not an origin` };
    }
    if (this.allowed.has(url.origin)) return { allowed: true };
    if (loopbackHostnames.has(url.hostname) && url.host === hostOf(url.protocol, host)) return { allowed: true };
    return {
      allowed: false,
      reason: `Pages from ${url.origin} may not use this MCP endpoint; an operator can allow them with MCP_ALLOWED_ORIGINS`,
    };
  }
}
