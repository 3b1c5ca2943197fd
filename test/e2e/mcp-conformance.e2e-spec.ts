import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { findFreePort } from '@dataflow/shared';
import { AppProcess, createTestDatabase, repoRoot, type TestDatabase, waitForStatus } from '@dataflow/shared/testing';
import { AuthorizingProxy, registerAccount } from './authorizing-proxy.js';
import { waitForMcpServers } from './mcp-servers-ready.js';

const conformanceCli = 'node_modules/@modelcontextprotocol/conformance/dist/index.js';
const baselineFile = 'test/fixtures/conformance-baseline.yml';

interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';
  errorMessage?: string;
}

/** Each scenario the CLI ran, from the checks.json it wrote per scenario, with what went wrong. */
async function scenarioOutcomes(outputDir: string): Promise<Map<string, string[]>> {
  const outcomes = new Map<string, string[]>();
  for (const entry of await readdir(outputDir)) {
    const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry)?.[1];
    if (!scenario) continue;
    const checks = JSON.parse(await readFile(join(outputDir, entry, 'checks.json'), 'utf8')) as Check[];
    // The CLI's baseline rule: a scenario with a failed check, or a warning, has not passed.
    const problems = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING').map((c) => `${c.id}: ${c.errorMessage ?? c.status}`);
    outcomes.set(scenario, problems);
  }
  return outcomes;
}

describe('/mcp against the MCP conformance suite (npm start, with the real server-everything)', () => {
  let dataDir: string;
  let database: TestDatabase;
  let platform: AppProcess;
  let url: string;
  // The CLI cannot send an access token: it talks to /mcp through a proxy that adds one.
  let proxy: AuthorizingProxy;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dataflow-conformance-'));
    database = await createTestDatabase();
    const port = await findFreePort();
    url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      MCP_CONFIG: 'test/fixtures/mcp-conformance.json',
      LOG_LEVEL: 'warn',
    };
    delete env.REDIS_URL;
    platform = new AppProcess('standalone', ['scripts/start.mjs'], env);
    await waitForStatus(`${url}/health/ready`, 200, 60_000, platform);
    const authorization = `Bearer ${await registerAccount(url)}`;
    await waitForMcpServers(url, ['everything'], { authorization }, platform);
    proxy = await AuthorizingProxy.start(url, authorization);
  });

  afterAll(async () => {
    await proxy?.stop();
    await platform?.stop();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('passes every scenario except the ones the baseline lists, and every listed one still fails', async () => {
    const outputDir = join(dataDir, 'conformance');
    const cli = spawn(process.execPath, [conformanceCli, 'server', '--url', `${proxy.url}/mcp`, '--expected-failures', baselineFile, '-o', outputDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    cli.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    cli.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const [exitCode] = (await once(cli, 'exit')) as [number | null];

    const baseline = (parse(await readFile(join(repoRoot, baselineFile), 'utf8')) as { server: string[] }).server;
    const outcomes = await scenarioOutcomes(outputDir);
    expect(outcomes.size).toBeGreaterThan(20);
    const failing = [...outcomes].filter(([, problems]) => problems.length > 0);
    const unexpected = Object.fromEntries(failing.filter(([scenario]) => !baseline.includes(scenario)));
    const nowPassing = baseline.filter((scenario) => outcomes.get(scenario)?.length === 0);
    const neverRan = baseline.filter((scenario) => !outcomes.has(scenario));

    // Regressions with their messages; baseline entries to remove; baseline entries the suite no longer has.
    expect({ unexpected, nowPassing, neverRan }).toEqual({ unexpected: {}, nowPassing: [], neverRan: [] });
    if (exitCode !== 0) throw new Error(`The conformance CLI exited with ${exitCode}:\n${output}`);
  });
});
