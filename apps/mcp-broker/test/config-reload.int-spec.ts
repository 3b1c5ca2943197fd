import { rename, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, ErrorCode, McpBrokerContract } from '@dataflow/shared';
import { eventually } from '@dataflow/shared/testing';
import { BrokerUnderTest, fixtureServer, writeConfig } from './broker-harness.js';

describe('reloading the MCP config', () => {
  let broker: BrokerUnderTest;
  const keeper = { command: 'node', args: [fixtureServer], env: { FIXTURE_NAME: 'keeper' } };

  beforeAll(async () => {
    broker = await BrokerUnderTest.start({
      keeper,
      leaving: { command: 'node', args: [fixtureServer], env: { FIXTURE_NAME: 'leaving' } },
    });
    await broker.waitForState('keeper', 'ready');
    await broker.waitForState('leaving', 'ready');
  });

  afterAll(async () => {
    await broker?.close();
  });

  it('adds and removes servers when the file changes, while an unchanged one keeps serving calls', async () => {
    const keeperPid = (await broker.registry.instance('keeper')).pid;
    let calls = 0;
    let failures = 0;
    let running = true;
    const traffic = (async () => {
      while (running) {
        const text = await broker.text({ qualifiedName: 'keeper__whoami' }).catch(() => undefined);
        if (text?.includes('keeper')) calls++;
        else failures++;
        await sleep(10);
      }
    })();

    // Written the way editors save: a new file renamed over the old one.
    const next = `${broker.configPath}.tmp`;
    await writeFile(next, JSON.stringify({ mcpServers: { keeper, arriving: { command: 'node', args: [fixtureServer], env: { FIXTURE_NAME: 'arriving' } } } }));
    await rename(next, broker.configPath);

    await eventually(async () => expect(JSON.parse(await broker.text({ qualifiedName: 'arriving__whoami' })).name).toBe('arriving'), 10_000);
    const names = (await broker.client.send(McpBrokerContract.listServers, {})).map((server) => server.name);
    expect(names).toEqual(['keeper', 'arriving']);
    const gone = (await broker.call({ qualifiedName: 'leaving__whoami' }).catch((e: unknown) => e)) as AppError;
    expect(gone.code).toBe(ErrorCode.NotFound);
    running = false;
    await traffic;

    expect(failures).toBe(0);
    expect(calls).toBeGreaterThan(5);
    expect((await broker.registry.instance('keeper')).pid).toBe(keeperPid);
  });

  it('reloads on request, reports what changed, and keeps the running config when the file is broken', async () => {
    await writeConfig(broker.configPath, {
      keeper,
      arriving: { command: 'node', args: [fixtureServer], env: { FIXTURE_NAME: 'changed' } },
      typo: { command: 'node', timeoutMS: 5 },
      secretive: { command: 'node', args: [fixtureServer], env: { TOKEN: '${DFC_TEST_UNSET_VARIABLE}' } },
    });
    const report = await broker.client.send(McpBrokerContract.reload, {});
    expect(report).toMatchObject({ unchanged: ['keeper'], changed: ['arriving'], added: ['typo', 'secretive'], removed: [] });
    expect(report.errors.typo).toContain('timeoutMS');
    expect(report.errors.secretive).toContain('${DFC_TEST_UNSET_VARIABLE}');
    const servers = await broker.client.send(McpBrokerContract.listServers, {});
    expect(servers.find((s) => s.name === 'secretive')).toMatchObject({ state: 'failed', lastError: expect.stringContaining('not set') });
    await eventually(async () => expect(JSON.parse(await broker.text({ qualifiedName: 'arriving__whoami' })).name).toBe('changed'), 10_000);

    await writeFile(broker.configPath, '{ "mcpServers": ');
    const error = (await broker.client.send(McpBrokerContract.reload, {}).catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe(ErrorCode.BadRequest);
    expect(error.message).toContain('not valid JSON');
    expect(JSON.parse(await broker.text({ qualifiedName: 'keeper__whoami' })).name).toBe('keeper');
  });
});
