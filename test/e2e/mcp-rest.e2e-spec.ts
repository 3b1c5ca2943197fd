import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { McpReloadReport, McpServerDetail, McpServerSummary } from '@dataflow/shared';
import { eventually } from '@dataflow/shared/testing';
import { DistributedPlatform } from './distributed-platform.js';
import { waitForMcpServers } from './mcp-servers-ready.js';

const json = { 'content-type': 'application/json' };

describe('the MCP REST routes (distributed, over Redis)', () => {
  let logDir: string;
  let platform: DistributedPlatform;

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), 'dataflow-mcp-rest-'));
    platform = new DistributedPlatform({ env: { MCP_CONFIG: 'test/fixtures/mcp-endpoint.json', FIXTURE_LOG: join(logDir, 'fixture.log') } });
    await platform.start();
    await waitForMcpServers(platform.gatewayUrl, ['everything', 'fixture'], platform.signedInHeaders, platform.gateway);
  });

  afterAll(async () => {
    await platform?.stop();
    await rm(logDir, { recursive: true, force: true });
  });

  const call = (tool: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    platform.api(`/api/v1/mcp/tools/${tool}/call`, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify(body), signal });

  it('calls a tool and answers 200 with the MCP result', async () => {
    const response = await call('everything__echo', { arguments: { message: 'hi' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ content: [{ type: 'text', text: 'Echo: hi' }] });
    const failed = await call('fixture__fail', {});
    expect(failed.status).toBe(200);
    expect(await failed.json()).toMatchObject({ isError: true });
  });

  it('streams progress events and the result as server-sent events when asked', async () => {
    const response = await call('fixture__sleep', { arguments: { ms: 350 } }, { accept: 'text/event-stream' });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    expect(text).toMatch(/^event: progress\ndata: \{"progress":\d+,"total":350\}/m);
    expect(text).toContain('event: result\ndata: {"content":[{"type":"text","text":"slept 350 ms"}]}');
  });

  it('answers bad calls with problem+json that names the problem', async () => {
    const cases: [string, unknown, number, string, string][] = [
      ['everything__echo', { arguments: { message: 7 } }, 400, 'validation_failed', 'must be string'],
      ['everything__echo', { arguments: [1] }, 400, 'validation_failed', 'arguments must be an object'],
      ['everything__echo', { timeoutMs: 5 }, 400, 'validation_failed', 'timeoutMs must not be less than 100'],
      ['everything__nope', {}, 404, 'not_found', 'has no tool "nope"'],
      ['nobody__echo', {}, 404, 'not_found', 'no MCP server named "nobody"'],
    ];
    for (const [tool, body, status, code, detail] of cases) {
      const response = await call(tool, body);
      expect([tool, response.status, response.headers.get('content-type')]).toEqual([tool, status, expect.stringContaining('application/problem+json')]);
      const problem = (await response.json()) as { code: string; detail: string };
      expect([tool, problem.code]).toEqual([tool, code]);
      expect(problem.detail).toContain(detail);
    }
  });

  it('cancels the call on the MCP server when the HTTP client goes away', async () => {
    const abort = new AbortController();
    const pending = call('fixture__sleep', { arguments: { ms: 20_000 } }, {}, abort.signal).catch(() => undefined);
    await sleep(500);
    abort.abort();
    await pending;
    await eventually(async () => expect(await readFile(join(logDir, 'fixture.log'), 'utf8').catch(() => '')).toContain('cancelled'), 5_000, 50);
  });

  it('shows a server in detail, restarts it, and reloads the config', async () => {
    const detail = (await (await platform.api('/api/v1/mcp/servers/fixture')).json()) as McpServerDetail;
    expect(detail).toMatchObject({ name: 'fixture', state: 'ready', definition: { command: 'node', env: { FIXTURE_LOG: '***' } } });
    expect(detail.tools.map((tool) => tool.qualifiedName)).toContain('fixture__sleep');
    expect(JSON.stringify(detail)).not.toContain(logDir);

    const restarted = await platform.api('/api/v1/mcp/servers/fixture/restart', { method: 'POST' });
    expect(restarted.status).toBe(200);
    expect((await restarted.json()) as McpServerSummary).toMatchObject({ state: 'ready', restarts: 1 });
    expect((await platform.api('/api/v1/mcp/servers/nobody')).status).toBe(404);

    const reload = await platform.api('/api/v1/admin/mcp/reload', { method: 'POST' });
    expect(reload.status).toBe(200);
    expect((await reload.json()) as McpReloadReport).toEqual({ added: [], removed: [], changed: [], unchanged: ['everything', 'fixture'], errors: {} });

    expect(await platform.database.query(`SELECT action, target FROM audit_log WHERE action LIKE 'mcp.%' ORDER BY id`)).toEqual([
      { action: 'mcp.server_restarted', target: 'mcp-server:fixture' },
      { action: 'mcp.config_reloaded', target: 'mcp-config' },
    ]);
  });
});
