import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, ErrorCode, McpBrokerContract } from '@dataflow/shared';
import { eventually } from '@dataflow/shared/testing';
import { BrokerUnderTest, filesystemServer, fixtureServer } from './broker-harness.js';

describe('per-user MCP servers', () => {
  let broker: BrokerUnderTest;
  const file = (user: string, name: string) => join(broker.dir, 'users', user, name);

  beforeAll(async () => {
    broker = await BrokerUnderTest.start(
      {
        files: { command: 'node', args: [filesystemServer, '${USER_DATA_DIR}'], scope: 'user' },
        mine: { command: 'node', args: [fixtureServer], env: { FIXTURE_NAME: 'for ${USER_ID}' }, scope: 'user' },
      },
      { MCP_USER_INSTANCE_LIMIT: '3', MCP_USER_IDLE_MS: '1500' },
    );
  });

  afterAll(async () => {
    await broker?.close();
  });

  it('gives each user an instance rooted in their own folder; neither can read the other’s files', async () => {
    await broker.call({ qualifiedName: 'files__write_file', arguments: { path: file('alice', 'salaries.csv'), content: 'name,salary\nann,1' }, userId: 'alice' });
    await writeFile(file('bob', 'bob.txt'), 'bob only').catch(async () => {
      await broker.call({ qualifiedName: 'files__write_file', arguments: { path: file('bob', 'bob.txt'), content: 'bob only' }, userId: 'bob' });
    });
    expect(await broker.text({ qualifiedName: 'files__list_allowed_directories', userId: 'bob' })).toContain(join(broker.dir, 'users', 'bob'));
    expect(await broker.text({ qualifiedName: 'files__list_allowed_directories', userId: 'bob' })).not.toContain('alice');

    const attempts = [
      file('alice', 'salaries.csv'),
      join(broker.dir, 'users', 'bob', '..', 'alice', 'salaries.csv'),
      `${join(broker.dir, 'users', 'bob')}/../alice/salaries.csv`,
      join(broker.dir, 'users', 'alice'),
    ];
    for (const path of attempts) {
      const { result } = await broker.call({ qualifiedName: 'files__read_text_file', arguments: { path }, userId: 'bob' });
      expect([path, result.isError]).toEqual([path, true]);
      expect(JSON.stringify(result.content)).not.toContain('ann,1');
    }
    const listing = await broker.call({ qualifiedName: 'files__list_directory', arguments: { path: join(broker.dir, 'users') }, userId: 'bob' });
    expect(listing.result.isError).toBe(true);
    const search = await broker.text({ qualifiedName: 'files__search_files', arguments: { path: join(broker.dir, 'users', 'bob'), pattern: 'salaries' }, userId: 'bob' });
    expect(search).not.toContain('salaries.csv');
    expect(await broker.text({ qualifiedName: 'files__read_text_file', arguments: { path: file('alice', 'salaries.csv') }, userId: 'alice' })).toContain('ann,1');
  });

  it('fills ${USER_ID} per user, and refuses a per-user call without a user or with a path-like id', async () => {
    expect(JSON.parse(await broker.text({ qualifiedName: 'mine__whoami', userId: 'carol' })).name).toBe('for carol');
    for (const userId of [undefined, '../alice', 'a/b', '']) {
      const error = (await broker.call({ qualifiedName: 'mine__whoami', userId }).catch((e: unknown) => e)) as AppError;
      expect([userId, error.code]).toEqual([userId, ErrorCode.BadRequest]);
    }
    expect(await readdir(join(broker.dir, 'users'))).not.toContain('..');
  });

  it('caps the instances, evicting the least recently used, and reaps idle ones', async () => {
    // alice, bob and carol hold instances; dave makes a fourth, over the limit of 3.
    await broker.text({ qualifiedName: 'files__list_allowed_directories', userId: 'alice' });
    await broker.text({ qualifiedName: 'mine__whoami', userId: 'dave' });
    await eventually(async () => {
      const servers = await broker.client.send(McpBrokerContract.listServers, {});
      expect(servers.reduce((sum, server) => sum + (server.instances ?? 0), 0)).toBeLessThanOrEqual(3);
    }, 5_000);
    expect(broker.registry.childPids().length).toBeLessThanOrEqual(3);
    // The most recent users keep theirs.
    expect(await broker.state('mine', 'dave')).toBe('ready');
    expect(await broker.state('files', 'alice')).toBe('ready');
    expect(await broker.state('files', 'bob')).toBe('idle');

    // Left alone for longer than MCP_USER_IDLE_MS, every instance is stopped; use starts one again.
    await sleep(1_500);
    await eventually(() => expect(broker.registry.childPids()).toEqual([]), 5_000);
    expect(await broker.state('mine', 'dave')).toBe('idle');
    expect(JSON.parse(await broker.text({ qualifiedName: 'mine__whoami', userId: 'dave' })).name).toBe('for dave');
  });
});
