import { createServer, request, type Server } from 'node:http';
import { once } from 'node:events';
import { findFreePort } from '@dataflow/shared';

/**
 * A pass-through HTTP proxy that adds one Authorization header, for clients that cannot send
 * headers of their own (the MCP conformance CLI). Host and Origin pass unchanged, so the endpoint's
 * DNS-rebinding checks see what the client sent. Bodies stream both ways, so server-sent events
 * arrive as they are sent.
 */
export class AuthorizingProxy {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string, authorization: string): Promise<AuthorizingProxy> {
    const upstream = new URL(target);
    const server = createServer((incoming, outgoing) => {
      const forwarded = request(
        { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, authorization } },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      outgoing.on('close', () => forwarded.destroy());
      incoming.pipe(forwarded);
    });
    const port = await findFreePort();
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return new AuthorizingProxy(server, `http://127.0.0.1:${port}`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close').catch(() => undefined);
  }
}

/** Registers an account on a platform at `url` and returns its access token. */
export async function registerAccount(url: string, email = 'owner@example.com'): Promise<string> {
  const registered = await fetch(`${url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'a long passphrase for tests', name: 'Owner' }),
  });
  if (registered.status !== 201) throw new Error(`could not register ${email}: ${registered.status} ${await registered.text()}`);
  return ((await registered.json()) as { accessToken: string }).accessToken;
}
