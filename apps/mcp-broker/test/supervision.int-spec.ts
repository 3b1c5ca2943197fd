import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, ErrorCode, findFreePort, McpBrokerContract } from '@dataflow/shared';
import { deleteKeys, eventually, startApp, testRedisUrl, uniqueKeyPrefix, waitForStatus } from '@dataflow/shared/testing';
import { BrokerUnderTest, childrenOf, everythingServer, fixtureServer, isAlive, writeConfig } from './broker-harness.js';

const quickRestarts = { maxCrashes: 3, windowMs: 60_000, initialDelayMs: 50, maxDelayMs: 200 };

describe('the MCP broker under chaos: crashes, hangs, restarts', () => {
  let broker: BrokerUnderTest;

  beforeAll(async () => {
    broker = await BrokerUnderTest.start({
      everything: { command: 'node', args: [everythingServer, 'stdio'] },
      sleeper: { command: 'node', args: [fixtureServer] },
      crashloop: { command: 'node', args: ['-e', "console.error('boom: the warehouse password is wrong'); process.exit(2)"], restart: quickRestarts },
      hanging: { command: 'node', args: [fixtureServer], pingIntervalMs: 200, pingTimeoutMs: 300 },
      a: { command: 'node', args: [fixtureServer] },
      b: { command: 'node', args: [fixtureServer] },
    });
    for (const server of ['everything', 'sleeper', 'hanging', 'a', 'b']) await broker.waitForState(server, 'ready');
  });

  afterAll(async () => {
    await broker?.close();
  });

  it('restarts a stdio server killed with SIGKILL; the next call succeeds within 3 s', async () => {
    const victim = (await broker.registry.instance('everything')).pid!;
    process.kill(victim, 'SIGKILL');
    const killedAt = Date.now();
    await eventually(async () => {
      expect(await broker.text({ qualifiedName: 'everything__echo', arguments: { message: 'back' } })).toBe('Echo: back');
    }, 3_000, 25);
    expect(Date.now() - killedAt).toBeLessThan(3_000);
    const now = (await broker.registry.instance('everything')).pid!;
    expect(now).not.toBe(victim);
    expect((await broker.client.send(McpBrokerContract.getServer, { name: 'everything' })).restarts).toBe(1);
  });

  it('fails a call in flight when its server dies, within 1 s and with a clear error', async () => {
    const pid = (await broker.registry.instance('sleeper')).pid!;
    const call = broker.call({ qualifiedName: 'sleeper__sleep', arguments: { ms: 20_000 } }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    const error = (await call) as AppError;
    expect(Date.now() - killedAt).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe(ErrorCode.ServerUnavailable);
    expect(error.message).toContain('"sleeper"');
    expect(error.message).toContain('stopped while the call was running');
  });

  it('answers at once with server_unavailable while a server restarts', async () => {
    const pid = (await broker.registry.instance('sleeper')).pid!;
    await broker.waitForState('sleeper', 'ready');
    process.kill((await broker.registry.instance('sleeper')).pid!, 'SIGKILL');
    await broker.waitForState('sleeper', 'restarting', 2_000);
    const started = Date.now();
    const error = (await broker.call({ qualifiedName: 'sleeper__whoami' }).catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe(ErrorCode.ServerUnavailable);
    expect(Date.now() - started).toBeLessThan(500);
    await broker.waitForState('sleeper', 'ready');
    expect((await broker.registry.instance('sleeper')).pid).not.toBe(pid);
  });

  it('marks a crash loop failed, keeping its last stderr lines for the UI', async () => {
    await broker.waitForState('crashloop', 'failed', 10_000);
    const detail = await broker.client.send(McpBrokerContract.getServer, { name: 'crashloop' });
    expect(detail.stderr).toContain('boom: the warehouse password is wrong');
    expect(detail.lastError).toContain('boom: the warehouse password is wrong');
    expect(detail.restarts).toBe(quickRestarts.maxCrashes - 1);
    const error = (await broker.call({ qualifiedName: 'crashloop__anything' }).catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe(ErrorCode.ServerUnavailable);
    expect(error.message).toContain('failed');
  });

  it('restarts a server that stops answering pings', async () => {
    const pid = (await broker.registry.instance('hanging')).pid!;
    // The tool blocks the server's event loop for 5 s; the 300 ms ping timeout notices first.
    await broker.call({ qualifiedName: 'hanging__hang', arguments: { ms: 5_000 }, timeoutMs: 10_000 }).catch(() => undefined);
    await eventually(async () => {
      const detail = await broker.client.send(McpBrokerContract.getServer, { name: 'hanging' });
      expect(detail.restarts).toBeGreaterThanOrEqual(1);
      expect(detail.state).toBe('ready');
    }, 15_000);
    expect(isAlive(pid)).toBe(false);
  });

  it('after 100 forced restarts, has exactly one child process per live server', async () => {
    for (let round = 0; round < 50; round++) {
      await Promise.all(['a', 'b'].map((name) => broker.client.send(McpBrokerContract.restartServer, { name })));
    }
    const summaries = await broker.client.send(McpBrokerContract.listServers, {});
    expect(summaries.filter((s) => s.name === 'a' || s.name === 'b').map((s) => s.restarts)).toEqual([50, 50]);
    const live = summaries.filter((s) => s.state === 'ready' || s.state === 'degraded').length;
    await eventually(() => {
      expect(childrenOf(process.pid).sort()).toEqual(broker.registry.childPids().sort());
      expect(childrenOf(process.pid)).toHaveLength(live);
    }, 5_000);
  });
});

describe('the MCP broker process', () => {
  it('takes its children with it when it is killed with SIGKILL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dfc-broker-'));
    const keyPrefix = uniqueKeyPrefix();
    const configPath = join(dir, 'mcp-servers.json');
    await writeConfig(configPath, {
      everything: { command: 'node', args: [everythingServer, 'stdio'] },
      fixture: { command: 'node', args: [fixtureServer] },
    });
    const healthPort = await findFreePort();
    const brokerProcess = startApp('mcp-broker', {
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: keyPrefix,
      MCP_CONFIG: configPath,
      HEALTH_PORT: String(healthPort),
      LOG_LEVEL: 'warn',
    });
    try {
      await waitForStatus(`http://127.0.0.1:${healthPort}/health/ready`, 200, 30_000, brokerProcess);
      await eventually(() => expect(childrenOf(brokerProcess.pid)).toHaveLength(2), 15_000);
      const children = childrenOf(brokerProcess.pid);
      await brokerProcess.stop('SIGKILL');
      await eventually(() => expect(children.filter(isAlive)).toEqual([]), 2_000);
    } finally {
      await brokerProcess.stop('SIGKILL');
      await deleteKeys(keyPrefix);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
