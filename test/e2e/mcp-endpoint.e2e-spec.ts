import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError, type Progress } from '@modelcontextprotocol/sdk/types.js';
import type { McpToolInfo } from '@dataflow/shared';
import { eventually } from '@dataflow/shared/testing';
import { DistributedPlatform } from './distributed-platform.js';
import { waitForMcpServers } from './mcp-servers-ready.js';

const idleMs = 2_000;
const allowedOrigin = 'https://chat.example.com';

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'e2e', version: '1.0.0' } },
});

describe('/mcp: the broker as one MCP server, for an MCP SDK client (distributed, over Redis)', () => {
  let logDir: string;
  let fixtureLog: string;
  let platform: DistributedPlatform;
  const clients: Client[] = [];

  async function connect(headers: Record<string, string> = {}): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${platform.gatewayUrl}/mcp`), { requestInit: { headers: { ...platform.signedInHeaders, ...headers } } });
    await client.connect(transport);
    clients.push(client);
    return { client, transport };
  }

  function post(headers: Record<string, string>, body = initialize): Promise<Response> {
    return fetch(`${platform.gatewayUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...platform.signedInHeaders, ...headers },
      body,
    });
  }

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), 'dataflow-mcp-endpoint-'));
    fixtureLog = join(logDir, 'fixture.log');
    platform = new DistributedPlatform({
      env: {
        MCP_CONFIG: 'test/fixtures/mcp-endpoint.json',
        FIXTURE_LOG: fixtureLog,
        MCP_SESSION_IDLE_MS: String(idleMs),
        MCP_ALLOWED_ORIGINS: allowedOrigin,
        REGISTRATION: 'open',
      },
    });
    await platform.start();
    await waitForMcpServers(platform.gatewayUrl, ['everything', 'fixture'], platform.signedInHeaders, platform.gateway);
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  afterAll(async () => {
    await platform?.stop();
    await rm(logDir, { recursive: true, force: true });
  });

  it("lists the broker's tools under server__tool names, with their schemas and annotations as the servers sent them", async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    const broker = (await (await platform.api('/api/v1/mcp/tools')).json()) as McpToolInfo[];
    expect(tools.map((tool) => tool.name).sort()).toEqual(broker.map((tool) => tool.qualifiedName).sort());
    const echo = tools.find((tool) => tool.name === 'everything__echo');
    expect(echo).toMatchObject({ title: 'Echo Tool', description: 'Echoes back the input string', annotations: { readOnlyHint: true, destructiveHint: false } });
    expect(echo?.inputSchema).toEqual(broker.find((tool) => tool.qualifiedName === 'everything__echo')?.inputSchema);
    expect(client.getServerVersion()?.name).toBe('mcp-dataflow-chat');
  });

  it('calls a tool; bad arguments are a result the model can read, an unknown tool is InvalidParams', async () => {
    const { client } = await connect();
    expect(await client.callTool({ name: 'everything__echo', arguments: { message: 'hello' } })).toEqual({ content: [{ type: 'text', text: 'Echo: hello' }] });

    const bad = await client.callTool({ name: 'everything__echo', arguments: { message: 42 } });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain('do not match the input schema of everything__echo');

    const unknown = client.callTool({ name: 'everything__no-such-tool', arguments: {} });
    await expect(unknown).rejects.toBeInstanceOf(McpError);
    await expect(unknown).rejects.toMatchObject({ code: ErrorCode.InvalidParams, message: expect.stringContaining('has no tool "no-such-tool"') });
  });

  it("passes the tool's progress notifications to a client that sent a progressToken", async () => {
    const { client } = await connect();
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'everything__trigger-long-running-operation', arguments: { duration: 2, steps: 4 } }, undefined, {
      onprogress: (update) => progress.push(update),
    });
    // The last one can be lost: the SDK's Protocol retires a request's progress handler when its
    // response arrives, and handles notifications a microtask later than responses
    // (modelcontextprotocol/typescript-sdk#2580). The ones before it must all arrive, in order.
    expect(progress.map(({ progress: done, total }) => [done, total]).slice(0, 3)).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
    ]);
    expect(result.content).toEqual([{ type: 'text', text: 'Long running operation completed. Duration: 2 seconds, Steps: 4.' }]);
  });

  it("cancels the call on the MCP server when the client cancels, and the session goes on", async () => {
    const { client } = await connect();
    const stop = new AbortController();
    const call = client.callTool({ name: 'fixture__sleep', arguments: { ms: 60_000 } }, undefined, {
      signal: stop.signal,
      onprogress: () => stop.abort(new Error('stopped by the user')),
    });
    await expect(call).rejects.toThrow('stopped by the user');

    await eventually(async () => expect(await readFile(fixtureLog, 'utf8').catch(() => '')).toContain('cancelled'), 10_000, 100);
    expect(await client.callTool({ name: 'everything__echo', arguments: { message: 'still here' } })).toEqual({ content: [{ type: 'text', text: 'Echo: still here' }] });
  });

  it('lists and reads resources, lists and gets prompts', async () => {
    const { client } = await connect();
    const { resources } = await client.listResources();
    const architecture = resources.find((resource) => resource.uri === 'demo://resource/static/document/architecture.md');
    expect(architecture).toMatchObject({ name: 'architecture.md', mimeType: 'text/markdown' });
    const { contents } = await client.readResource({ uri: architecture!.uri });
    expect(contents[0]).toMatchObject({ uri: architecture!.uri, mimeType: 'text/markdown' });
    await expect(client.readResource({ uri: 'demo://no/such/resource' })).rejects.toMatchObject({ code: -32002 });

    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toContain('everything__args-prompt');
    const prompt = await client.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Lisbon' } });
    expect(prompt.messages).toEqual([{ role: 'user', content: { type: 'text', text: "What's weather in Lisbon?" } }]);
  });

  it('refuses pages from another origin (DNS rebinding), and lets an allowed origin in with CORS', async () => {
    const evil = await post({ origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { error: { message: string } }).error.message).toContain('Pages from http://evil.example may not use this MCP endpoint');
    await expect(connect({ origin: 'http://evil.example' })).rejects.toMatchObject({ code: 403, message: expect.stringContaining('Forbidden: Pages from http://evil.example') });

    const preflight = await fetch(`${platform.gatewayUrl}/mcp`, {
      method: 'OPTIONS',
      headers: { origin: allowedOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, mcp-session-id' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Mcp-Session-Id');

    const { client, transport } = await connect({ origin: allowedOrigin });
    expect(transport.sessionId).toBeDefined();
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    // No Origin at all: a desktop client or an agent, not a page.
    expect((await post({})).status).toBe(200);
  });

  it('answers 404 to a session id it does not know, and to one the client ended with DELETE', async () => {
    expect((await post({ 'mcp-session-id': randomUUID() }, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }))).status).toBe(404);

    const { transport } = await connect();
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    const after = await post({ 'mcp-session-id': sessionId }, JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }));
    expect(after.status).toBe(404);
  });

  it('needs a signed-in caller or an API key with mcp:call, and keeps each session to the user who opened it', async () => {
    const anonymous = await post({ authorization: '' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="mcp"');
    expect(((await anonymous.json()) as { error: { message: string } }).error.message).toContain('Unauthorized');
    expect((await post({ authorization: 'Bearer not-a-token' })).status).toBe(401);

    const keyWith = async (scopes: string[]) => {
      const created = await platform.api('/api/v1/api-keys', { method: 'POST', body: JSON.stringify({ name: `mcp ${scopes.join(' ')}`, scopes }) });
      return ((await created.json()) as { key: string }).key;
    };
    expect((await post({ authorization: `Bearer ${await keyWith(['conversations:read'])}` })).status).toBe(403);
    const key = await keyWith(['mcp:call']);
    const { client, transport } = await connect({ authorization: `Bearer ${key}` });
    expect((await client.callTool({ name: 'everything__echo', arguments: { message: 'by key' } })).content).toEqual([{ type: 'text', text: 'Echo: by key' }]);

    // Another user who learns the session id gets the answer for a session that does not exist.
    const other = (await (
      await platform.api('/api/v1/auth/register', { method: 'POST', body: JSON.stringify({ email: 'mcp-other@example.com', password: 'another long passphrase', name: 'Other' }) })
    ).json()) as { accessToken: string };
    const hijack = await post({ authorization: `Bearer ${other.accessToken}`, 'mcp-session-id': transport.sessionId! }, JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }));
    expect(hijack.status).toBe(404);
  });

  it('is served ahead of the API routes: bad bodies are problem+json, paths below /mcp are not the endpoint, sessions are logged', async () => {
    const notJson = await post({}, '{"jsonrpc":');
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('content-type')).toContain('application/problem+json');

    const below = await fetch(`${platform.gatewayUrl}/mcp/tools`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(below.status).toBe(404);
    expect(below.headers.get('content-type')).toContain('application/problem+json');

    const { transport } = await connect();
    const session = transport.sessionId!.slice(0, 8);
    await transport.terminateSession();
    await eventually(() => {
      expect(platform.gateway.logs({ msg: 'MCP session opened', session })).toHaveLength(1);
      expect(platform.gateway.logs({ msg: 'MCP session closed', session, end: 'client' })).toHaveLength(1);
    }, 5_000);
  });

  it('closes a session that stays idle longer than MCP_SESSION_IDLE_MS, though the client holds its GET stream open', async () => {
    const { client, transport } = await connect();
    await client.ping();
    await sleep(idleMs * 2);
    const ping = client.ping();
    await expect(ping).rejects.toBeInstanceOf(StreamableHTTPError);
    await expect(ping).rejects.toMatchObject({ code: 404 });
    expect(transport.sessionId).toBeDefined();
  });
});
