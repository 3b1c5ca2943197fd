import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, ErrorCode, findFreePort, McpBrokerContract } from '@dataflow/shared';
import { eventually } from '@dataflow/shared/testing';
import { BrokerUnderTest, everythingServer, filesystemServer, fixtureServer } from './broker-harness.js';

/** A Streamable HTTP MCP server the test starts: the real server-everything, or the fixture. */
async function startHttpServer(args: string[], env: Record<string, string> = {}): Promise<{ url: string; process: ChildProcess; port: number }> {
  const port = await findFreePort();
  const child = spawn(process.execPath, [...args, ...(args[0] === fixtureServer ? ['--http', String(port)] : [])], {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: 'ignore',
  });
  await eventually(async () => {
    const response = await fetch(`http://127.0.0.1:${port}/mcp`, { method: 'GET' }).catch(() => undefined);
    expect(response).toBeDefined();
  }, 15_000);
  return { url: `http://127.0.0.1:${port}/mcp`, process: child, port };
}

describe('the MCP broker: catalog and calls, on real MCP servers', () => {
  let broker: BrokerUnderTest;
  let http: Awaited<ReturnType<typeof startHttpServer>>;
  let logDir: string;

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), 'dfc-fixture-'));
    http = await startHttpServer([everythingServer, 'streamableHttp']);
    broker = await BrokerUnderTest.start({
      everything: { command: 'node', args: [everythingServer, 'stdio'], description: 'The reference test server' },
      files: { command: 'node', args: [filesystemServer, '${USER_DATA_DIR}'], scope: 'user' },
      remote: { type: 'streamable-http', url: http.url, timeoutMs: 5_000 },
      fixture: { command: 'node', args: [fixtureServer], env: { FIXTURE_LOG: join(logDir, 'fixture.log') }, toolDenylist: ['crash'] },
    });
    await broker.waitForState('everything', 'ready');
    await broker.waitForState('remote', 'ready');
    await broker.waitForState('fixture', 'ready');
  });

  afterAll(async () => {
    await broker?.close();
    http?.process.kill('SIGKILL');
    await rm(logDir, { recursive: true, force: true });
  });

  it('lists tools by qualified name, with schemas and annotations as the servers sent them', async () => {
    const tools = await broker.client.send(McpBrokerContract.listTools, { userId: 'alice' });
    const names = tools.map((tool) => tool.qualifiedName);
    expect(names).toEqual(expect.arrayContaining(['everything__echo', 'remote__echo', 'files__read_text_file', 'fixture__sleep']));
    const echo = tools.find((tool) => tool.qualifiedName === 'everything__echo')!;
    expect(echo).toMatchObject({ server: 'everything', name: 'echo', inputSchema: { type: 'object', required: ['message'] } });
    const read = tools.find((tool) => tool.qualifiedName === 'files__read_text_file')!;
    expect(read.annotations).toMatchObject({ readOnlyHint: true });
    // The deny list hides a tool; per-user servers are only listed for a user.
    expect(names).not.toContain('fixture__crash');
    const anonymous = await broker.client.send(McpBrokerContract.listTools, {});
    expect(anonymous.some((tool) => tool.server === 'files')).toBe(false);
  });

  it('lists servers with their state, restart count and tool count', async () => {
    const servers = await broker.client.send(McpBrokerContract.listServers, {});
    expect(servers.find((server) => server.name === 'everything')).toMatchObject({
      state: 'ready',
      scope: 'shared',
      restarts: 0,
      toolCount: expect.any(Number),
      stateAgeMs: expect.any(Number),
    });
    expect(servers.find((server) => server.name === 'files')).toMatchObject({ scope: 'user', state: 'idle' });
  });

  it('calls tools over stdio and over Streamable HTTP', async () => {
    expect(await broker.text({ qualifiedName: 'everything__echo', arguments: { message: 'hello' } })).toBe('Echo: hello');
    expect(await broker.text({ qualifiedName: 'remote__echo', arguments: { message: 'over http' } })).toBe('Echo: over http');
    expect(await broker.text({ qualifiedName: 'everything__get-sum', arguments: { a: 2, b: 40 } })).toContain('42');
  });

  it('calls the real filesystem server in the user’s own folder', async () => {
    await broker.call({ qualifiedName: 'files__write_file', arguments: { path: join(broker.dir, 'users/alice/notes.txt'), content: 'q3 revenue' }, userId: 'alice' });
    expect(await readFile(join(broker.dir, 'users/alice/notes.txt'), 'utf8')).toBe('q3 revenue');
    const text = await broker.text({ qualifiedName: 'files__read_text_file', arguments: { path: join(broker.dir, 'users/alice/notes.txt') }, userId: 'alice' });
    expect(text).toBe('q3 revenue');
  });

  it('passes progress notifications back to the caller', async () => {
    const { result, progress } = await broker.call({
      qualifiedName: 'everything__trigger-long-running-operation',
      arguments: { duration: 1, steps: 4 },
    });
    // The SDK may drop a notification that arrives just before the result (typescript-sdk#2580).
    const steps = progress.map((event) => event.type === 'progress' && event.progress);
    expect(steps.length).toBeGreaterThanOrEqual(3);
    expect(steps).toEqual([1, 2, 3, 4].slice(0, steps.length));
    expect(progress[0]).toMatchObject({ total: 4 });
    expect(result.isError).toBeFalsy();
  });

  it('restarts the timeout on each progress notification', async () => {
    // 1.5 s in all, but a progress notification every 100 ms: a 500 ms timeout never fires.
    const { result, progress } = await broker.call({ qualifiedName: 'fixture__sleep', arguments: { ms: 1_500 }, timeoutMs: 500 });
    expect(result.content[0]).toMatchObject({ text: 'slept 1500 ms' });
    expect(progress.length).toBeGreaterThan(5);
  });

  it('times a call out at its own timeout, and the server stays usable', async () => {
    const started = Date.now();
    const error = await broker.call({ qualifiedName: 'remote__trigger-long-running-operation', arguments: { duration: 10, steps: 1 }, timeoutMs: 700 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(ErrorCode.Timeout);
    expect((error as AppError).message).toContain('did not answer within 700 ms');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await broker.text({ qualifiedName: 'remote__echo', arguments: { message: 'still here' } })).toBe('Echo: still here');
  });

  it('sends notifications/cancelled to the server when the caller unsubscribes, and only then', async () => {
    expect(await broker.text({ qualifiedName: 'fixture__sleep', arguments: { ms: 50 } })).toBe('slept 50 ms');
    await sleep(200);
    expect(await readFile(join(logDir, 'fixture.log'), 'utf8').catch(() => '')).toBe('');
    const subscription = broker.client
      .stream(McpBrokerContract.callTool, { qualifiedName: 'fixture__sleep', arguments: { ms: 20_000 } }, { idleTimeoutMs: 30_000 })
      .subscribe({ error: () => undefined });
    await sleep(400);
    subscription.unsubscribe();
    await eventually(async () => expect(await readFile(join(logDir, 'fixture.log'), 'utf8').catch(() => '')).toMatch(/^cancelled /m), 5_000);
  });

  it('returns a tool’s own failure as an isError result, not as a transport error', async () => {
    const { result } = await broker.call({ qualifiedName: 'fixture__fail' });
    expect(result).toMatchObject({ isError: true, content: [{ type: 'text', text: 'it went wrong' }] });
  });

  it('checks arguments against the input schema before calling, and names the problem', async () => {
    const error = (await broker.call({ qualifiedName: 'everything__echo', arguments: { message: 42 } }).catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe(ErrorCode.ValidationFailed);
    expect(error.message).toContain('everything__echo');
    expect(error.message).toContain('must be string');
  });

  it('answers unknown tools and servers with not_found', async () => {
    for (const qualifiedName of ['everything__nope', 'nobody__echo', 'no-separator', 'fixture__crash']) {
      const error = (await broker.call({ qualifiedName }).catch((e: unknown) => e)) as AppError;
      expect([qualifiedName, error.code]).toEqual([qualifiedName, ErrorCode.NotFound]);
    }
  });

  it('refreshes the catalog on notifications/tools/list_changed', async () => {
    expect(await broker.text({ qualifiedName: 'fixture__add_tool', arguments: { tool: 'forecast' } })).toBe('added forecast');
    await eventually(async () => {
      const tools = await broker.client.send(McpBrokerContract.listTools, {});
      expect(tools.map((tool) => tool.qualifiedName)).toContain('fixture__forecast');
    }, 5_000);
    expect(await broker.text({ qualifiedName: 'fixture__forecast' })).toBe('forecast works');
  });

  it('lists and reads resources, and lists and gets prompts', async () => {
    const resources = await broker.client.send(McpBrokerContract.listResources, {});
    const resource = resources.find((r) => r.server === 'everything')!;
    expect(resource).toMatchObject({ uri: expect.any(String), name: expect.any(String) });
    const read = await broker.client.send(McpBrokerContract.readResource, { uri: resource.uri });
    expect(read.contents[0]).toMatchObject({ uri: resource.uri });
    const prompts = await broker.client.send(McpBrokerContract.listPrompts, {});
    const simple = prompts.find((p) => p.server === 'everything' && (p.arguments ?? []).every((a) => !a.required))!;
    expect(simple.qualifiedName).toBe(`everything__${simple.name}`);
    const prompt = await broker.client.send(McpBrokerContract.getPrompt, { qualifiedName: simple.qualifiedName });
    expect(prompt.messages.length).toBeGreaterThan(0);
    // A server's refusal is a typed error that names the server, not an internal error.
    const needy = prompts.find((p) => p.server === 'everything' && (p.arguments ?? []).some((a) => a.required))!;
    const refused = (await broker.client.send(McpBrokerContract.getPrompt, { qualifiedName: needy.qualifiedName }).catch((e: unknown) => e)) as AppError;
    expect(refused.code).toBe(ErrorCode.BadRequest);
    expect(refused.message).toContain('"everything"');
  });

  it('re-initialises a Streamable HTTP session the server forgot (404)', async () => {
    const fixture = await startHttpServer([fixtureServer]);
    const again = await BrokerUnderTest.start({ web: { type: 'streamable-http', url: fixture.url } });
    try {
      await again.waitForState('web', 'ready');
      const first = JSON.parse(await again.text({ qualifiedName: 'web__whoami' })) as { pid: number };
      // The server restarts on the same port and forgets every session.
      fixture.process.kill('SIGKILL');
      const restarted = spawn(process.execPath, [fixtureServer, '--http', String(fixture.port)], { stdio: 'ignore' });
      try {
        await eventually(async () => expect((await fetch(fixture.url).catch(() => undefined))?.status).toBeDefined(), 10_000);
        const second = JSON.parse(await again.text({ qualifiedName: 'web__whoami' })) as { pid: number };
        expect(second.pid).not.toBe(first.pid);
        expect(await again.state('web')).toBe('ready');
      } finally {
        restarted.kill('SIGKILL');
      }
    } finally {
      await again.close();
      fixture.process.kill('SIGKILL');
    }
  });
});

