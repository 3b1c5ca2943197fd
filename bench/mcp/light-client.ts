import { Agent, request as httpRequest } from 'node:http';

/**
 * The load generator of the HTTP rows: a minimal Streamable HTTP MCP client on node:http with
 * keep-alive. The SDK's client spends 200–330 µs of CPU per call (fetch, its protocol layer,
 * result validation), more than either front it calls; on a 2-core machine a bench driven by it
 * measures mostly itself. This one does what the transport spec asks of a client (initialize,
 * `Mcp-Session-Id`, `Mcp-Protocol-Version`, the Accept header) and reads a reply sent either as
 * one JSON body or as an SSE stream, so the same client is fair to every front.
 */

const protocolVersion = '2025-06-18';

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class LightHttpClient {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(url: string, sockets: number) {
    this.url = new URL(url);
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  post(path: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<HttpReply> {
    return this.request('POST', path, headers, timeoutMs, body);
  }

  request(method: string, path: string, headers: Record<string, string>, timeoutMs: number, body?: string): Promise<HttpReply> {
    const bodyHeaders = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: this.url.hostname, port: this.url.port, path, method, agent: this.agent, timeout: timeoutMs, headers: { ...bodyHeaders, ...headers } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no reply within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The JSON-RPC message that answers `id`, from a JSON body or from the `data:` lines of an SSE stream. */
function replyTo(id: number, reply: HttpReply): { result?: unknown; error?: { message?: string } } {
  const type = String(reply.headers['content-type'] ?? '');
  const messages: unknown[] = type.includes('text/event-stream')
    ? reply.body
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => JSON.parse(line.slice(5)) as unknown)
    : [JSON.parse(reply.body) as unknown];
  const answer = messages.flat().find((message) => (message as { id?: unknown }).id === id);
  if (!answer) throw new Error(`HTTP ${reply.status} without a reply to request ${id}: ${reply.body.slice(0, 200)}`);
  return answer as { result?: unknown; error?: { message?: string } };
}

/** One MCP session over Streamable HTTP, made of plain POSTs. */
export class LightMcpSession {
  private nextId = 1;
  private sessionId?: string;

  private constructor(
    private readonly http: LightHttpClient,
    private readonly url: URL,
    private readonly timeoutMs: number,
    private readonly extraHeaders: Record<string, string>,
  ) {}

  /** `headers` go with every request (an Authorization header, say). */
  static async open(url: string, sockets: number, timeoutMs: number, headers: Record<string, string> = {}): Promise<LightMcpSession> {
    const session = new LightMcpSession(new LightHttpClient(url, sockets), new URL(url), timeoutMs, headers);
    try {
      const id = session.nextId++;
      const initialize = { jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'bench-mcp-light', version: '1.0.0' } } };
      const reply = await session.post(initialize);
      replyTo(id, reply);
      const sessionId = reply.headers['mcp-session-id'];
      if (typeof sessionId !== 'string') throw new Error(`initialize answered HTTP ${reply.status} without an Mcp-Session-Id`);
      session.sessionId = sessionId;
      const initialized = await session.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
      if (initialized.status !== 202) throw new Error(`notifications/initialized answered HTTP ${initialized.status}`);
      return session;
    } catch (error) {
      session.http.close();
      throw error;
    }
  }

  async callTool(name: string, args: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    const answer = replyTo(id, await this.post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }));
    if (answer.error) throw new Error(`tools/call ${name}: ${answer.error.message ?? JSON.stringify(answer.error)}`);
    return answer.result;
  }

  /** Ends the session (DELETE) and closes the sockets. */
  async close(): Promise<void> {
    if (this.sessionId) {
      await this.http.request('DELETE', this.url.pathname, this.headers(), this.timeoutMs).catch(() => undefined);
    }
    this.http.close();
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { ...this.extraHeaders, accept: 'application/json, text/event-stream', 'mcp-protocol-version': protocolVersion };
    if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
    return headers;
  }

  private post(message: object): Promise<HttpReply> {
    return this.http.post(this.url.pathname, JSON.stringify(message), this.headers(), this.timeoutMs);
  }
}
