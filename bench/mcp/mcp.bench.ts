/**
 * One trivial MCP tool call (`echo` on server-everything), made four ways in one run:
 *   1. direct: the SDK client in this process, server-everything as its stdio child (the limit);
 *   2. our `POST /mcp`: the SDK client over Streamable HTTP to the platform's aggregated server;
 *   3. our REST route: `POST /api/v1/mcp/tools/everything__echo/call`;
 *   4. supergateway (stateful, Streamable HTTP) fronting the same server: the baseline.
 *
 *   npm run bench:mcp
 *
 * The platform is the built standalone app (`npm run build:server`), started with a fresh
 * DATA_DIR, an MCP_CONFIG that holds only server-everything, and an embedded Postgres unless
 * DATABASE_URL is set. Every child runs on this Node. Environment:
 *   BENCH_SEQUENTIAL     sequential calls per row (default 2000)
 *   BENCH_LOAD_CALLS     calls of the loaded phase at most (default 200000)
 *   BENCH_LOAD_SECONDS   time bound of one round of the loaded phase (default 3)
 *   BENCH_ROUNDS         rounds of the loaded phase, taking the rows in turn; each row reports its median (default 3)
 *   BENCH_IN_FLIGHT      calls in flight in the loaded phase (default 32)
 *   BENCH_ROWS           which rows to run, comma-separated (direct,mcp,rest,supergateway; default all)
 *   BENCH_CLIENT         the client of the HTTP rows: `light` (default), a minimal client on node:http that
 *                        costs the machine little, or `sdk`, the SDK's Client (see light-client.ts)
 *   BENCH_CPU_PROF       a folder: the platform and supergateway then write V8 CPU profiles there
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '@dataflow/shared';
import { AppProcess, waitForStatus } from '@dataflow/shared/testing';
import { cleanupOnEnd } from '../lib/cleanup.js';
import { type Call, type Latencies, loaded, sequential, type Throughput } from '../lib/measure.js';
import { cpuSecondsOf, descendantRunning } from '../lib/process-table.js';
import { machineTicks, printMarkdownTable } from '../lib/report.js';
import { runBench } from '../lib/run.js';
import { LightHttpClient, LightMcpSession } from './light-client.js';

// ---------------------------------------------------------------------------------------------
// Settings.

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const legKeys = ['direct', 'mcp', 'rest', 'supergateway'] as const;
type LegKey = (typeof legKeys)[number];

/** BENCH_ROWS, e.g. `rest` to profile one way alone; every row by default. */
function rowsWanted(): LegKey[] {
  const wanted = (process.env.BENCH_ROWS ?? '').split(',').map((word) => word.trim()).filter(Boolean);
  const unknown = wanted.filter((word) => !(legKeys as readonly string[]).includes(word));
  if (unknown.length) throw new Error(`BENCH_ROWS: unknown row(s) ${unknown.join(', ')}; the rows are ${legKeys.join(', ')}`);
  return legKeys.filter((key) => !wanted.length || wanted.includes(key));
}

type ClientKind = 'light' | 'sdk';

function clientWanted(): ClientKind {
  const value = process.env.BENCH_CLIENT ?? 'light';
  if (value !== 'light' && value !== 'sdk') throw new Error(`BENCH_CLIENT: ${value} is not a client; use light or sdk`);
  return value;
}

const settings = {
  /** Warm-up per row: rounds of this many sequential calls, then five times as many in flight, for at least warmupMinMs. */
  warmup: 200,
  warmupMinMs: 2_000,
  sequential: positiveInt('BENCH_SEQUENTIAL', 2_000),
  sequentialMaxMs: 20_000,
  loadCalls: positiveInt('BENCH_LOAD_CALLS', 200_000),
  loadMaxMs: positiveInt('BENCH_LOAD_SECONDS', 3) * 1_000,
  rounds: positiveInt('BENCH_ROUNDS', 3),
  inFlight: positiveInt('BENCH_IN_FLIGHT', 32),
  callTimeoutMs: 10_000,
  startMs: 90_000,
  /** The whole run, after which it gives up and stops every process it started. */
  watchdogMs: 5 * 60_000,
  cpuProfileDir: process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined,
  rows: rowsWanted(),
  client: clientWanted(),
};

/** From the issue: our /mcp at ≥ 2× supergateway's calls/s at 32 in flight, and a p50 at most 1.5 ms above direct. */
const targets = { throughputRatio: 2, p50OverheadMs: 1.5, inFlight: 32 };

// dist/bench/mcp/ → the repository.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const paths = {
  platform: join(root, 'dist/apps/standalone/src/main.js'),
  everything: join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'),
  supergateway: join(root, 'node_modules/supergateway/dist/index.js'),
};

function versionOf(packageName: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', packageName, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

// ---------------------------------------------------------------------------------------------
// The four ways of calling echo.

interface Leg {
  key: LegKey;
  label: string;
  /** Undefined when this way could not be set up; `unavailable` then says why. */
  call?: Call;
  unavailable?: string;
  /** The process that fronts the MCP server over HTTP (the platform, supergateway), and the MCP server's own. */
  frontPid?: number;
  serverPid?: number;
  close(): Promise<void>;
}

function expectEcho(result: unknown, n: number): void {
  const text = (result as { content?: { text?: unknown }[] } | undefined)?.content?.[0]?.text;
  if (text !== `Echo: m-${n}`) throw new Error(`wrong reply to call ${n}: ${JSON.stringify(result).slice(0, 200)}`);
}

function describe(error: unknown): string {
  if (error instanceof StreamableHTTPError) return `it answered HTTP ${error.code ?? '?'} (${error.message.slice(0, 160)})`;
  return error instanceof Error ? error.message.slice(0, 200) : String(error);
}

function unavailable(key: LegKey, label: string, reason: string): Leg {
  return { key, label, unavailable: reason, close: async () => undefined };
}

/** The MCP server behind a leg; it exists once the leg's first call has been made. */
function serverPidBehind(front: AppProcess): number | undefined {
  return descendantRunning(front.pid, paths.everything);
}

/** An SDK client over `transport`, checked with one call of `tool` before it counts as available. */
async function sdkLeg(key: LegKey, label: string, transport: Transport, tool: string, front?: AppProcess): Promise<Leg> {
  const client = new Client({ name: 'bench-mcp', version: '1.0.0' }, { capabilities: {} });
  const close = async () => {
    if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => undefined);
    await client.close().catch(() => undefined);
  };
  const call: Call = async (n) => expectEcho(await client.callTool({ name: tool, arguments: { message: `m-${n}` } }, undefined, { timeout: settings.callTimeoutMs }), n);
  try {
    await client.connect(transport, { timeout: settings.callTimeoutMs });
    await call(0);
  } catch (error) {
    await close();
    return unavailable(key, label, describe(error));
  }
  const serverPid = front ? serverPidBehind(front) : transport instanceof StdioClientTransport ? (transport.pid ?? undefined) : undefined;
  return { key, label, call, close, frontPid: front?.pid, serverPid };
}

/** The light client's session on a Streamable HTTP endpoint, checked with one call of `tool`. */
async function lightLeg(key: LegKey, label: string, url: string, tool: string, front: AppProcess, headers: Record<string, string> = {}): Promise<Leg> {
  let session: LightMcpSession;
  try {
    session = await LightMcpSession.open(url, settings.inFlight, settings.callTimeoutMs, headers);
  } catch (error) {
    return unavailable(key, label, describe(error));
  }
  const call: Call = async (n) => expectEcho(await session.callTool(tool, { message: `m-${n}` }), n);
  try {
    await call(0);
  } catch (error) {
    await session.close();
    return unavailable(key, label, describe(error));
  }
  return { key, label, call, close: () => session.close(), frontPid: front.pid, serverPid: serverPidBehind(front) };
}

const clientLabel = () => (settings.client === 'light' ? 'light client' : 'SDK client');

function directLeg(): Promise<Leg> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [paths.everything, 'stdio'], cwd: root, stderr: 'ignore' });
  return sdkLeg('direct', 'direct: SDK client → server-everything (stdio)', transport, 'echo');
}

function mcpLeg(platform: Platform): Promise<Leg> {
  const url = `${platform.baseUrl}/mcp`;
  const label = `ours: POST /mcp (${clientLabel()}, Streamable HTTP)`;
  if (settings.client === 'light') return lightLeg('mcp', label, url, 'everything__echo', platform.process, platform.signedIn);
  return sdkLeg('mcp', label, new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: platform.signedIn } }), 'everything__echo', platform.process);
}

function supergatewayLeg(supergateway: Supergateway): Promise<Leg> {
  const label = `supergateway ${versionOf('supergateway')} --stateful (${clientLabel()}, Streamable HTTP)`;
  if (settings.client === 'light') return lightLeg('supergateway', label, supergateway.url, 'echo', supergateway.process);
  return sdkLeg('supergateway', label, new StreamableHTTPClientTransport(new URL(supergateway.url)), 'echo', supergateway.process);
}

async function restLeg(platform: Platform): Promise<Leg> {
  const label = `ours: POST /api/v1/mcp/tools/everything__echo/call (${settings.client === 'light' ? 'light client' : 'fetch'})`;
  const path = '/api/v1/mcp/tools/everything__echo/call';
  const http = new LightHttpClient(platform.baseUrl, settings.inFlight);
  const call: Call = async (n) => {
    const body = JSON.stringify({ arguments: { message: `m-${n}` } });
    const reply =
      settings.client === 'light'
        ? await http.post(path, body, { ...platform.signedIn, accept: 'application/json' }, settings.callTimeoutMs)
        : await fetch(platform.baseUrl + path, { method: 'POST', headers: { ...platform.signedIn, 'content-type': 'application/json', accept: 'application/json' }, body, signal: AbortSignal.timeout(settings.callTimeoutMs) }).then(async (response) => ({ status: response.status, body: await response.text() }));
    if (reply.status !== 200) throw new Error(`HTTP ${reply.status}: ${reply.body.slice(0, 200)}`);
    expectEcho(JSON.parse(reply.body), n);
  };
  try {
    await call(0);
  } catch (error) {
    http.close();
    return unavailable('rest', label, describe(error));
  }
  return { key: 'rest', label, call, frontPid: platform.process.pid, serverPid: serverPidBehind(platform.process), close: async () => http.close() };
}

// ---------------------------------------------------------------------------------------------
// The processes: the platform and supergateway.

interface Platform {
  process: AppProcess;
  baseUrl: string;
  /** The Authorization header of the account the bench registers: /mcp and the API need a caller. */
  signedIn: Record<string, string>;
}

function nodeArgs(...args: string[]): string[] {
  return settings.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}`, ...args] : args;
}

async function startPlatform(dataDir: string): Promise<Platform> {
  if (!existsSync(paths.platform)) throw new Error(`${paths.platform} is missing: run npm run build:server first`);
  const port = await findFreePort();
  const mcpConfig = join(dataDir, 'mcp-servers.json');
  writeFileSync(mcpConfig, JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: [paths.everything, 'stdio'] } } }, null, 2));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: join(dataDir, 'data'),
    MCP_CONFIG: mcpConfig,
    MCP_CONFIG_WATCH: 'false',
    LOG_LEVEL: 'warn',
    // Long enough for the whole run: the bench signs in once.
    ACCESS_TOKEN_TTL_SECONDS: '86400',
    // It runs in the built tree's folder, not the repository's, so every path it gets is absolute.
    WEB_DIR: join(root, 'dist/web/browser'),
  };
  delete env.REDIS_URL; // the standalone form: every app linked in one process
  const platform = new AppProcess('platform', nodeArgs(paths.platform), env);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForStatus(`${baseUrl}/health/ready`, 200, settings.startMs, platform);
    const registered = await fetch(`${baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'perf@example.com', password: 'a long passphrase for the bench', name: 'Bench' }),
    });
    if (registered.status !== 201) throw new Error(`could not register the bench account: ${registered.status} ${await registered.text()}`);
    const { accessToken } = (await registered.json()) as { accessToken: string };
    return { process: platform, baseUrl, signedIn: { authorization: `Bearer ${accessToken}` } };
  } catch (error) {
    await platform.stop();
    throw error;
  }
}

interface Supergateway {
  process: AppProcess;
  url: string;
}

async function startSupergateway(): Promise<Supergateway> {
  const port = await findFreePort();
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  const serverCommand = [process.execPath, paths.everything, 'stdio'].map(quote).join(' ');
  const args = ['--stdio', serverCommand, '--outputTransport', 'streamableHttp', '--stateful', '--port', String(port), '--healthEndpoint', '/healthz', '--logLevel', 'none'];
  const gateway = new AppProcess('supergateway', nodeArgs(paths.supergateway, ...args), process.env);
  await waitForStatus(`http://127.0.0.1:${port}/healthz`, 200, settings.startMs, gateway).catch(async (error: unknown) => {
    await gateway.stop();
    throw error;
  });
  return { process: gateway, url: `http://127.0.0.1:${port}/mcp` };
}

// ---------------------------------------------------------------------------------------------
// Measuring.

interface Cpu {
  /** Percent of one core over the loaded phase. */
  client: number;
  front: number;
  server: number;
  /** Percent of the whole machine. */
  machine: number;
}

interface LoadRound {
  load: Throughput;
  cpu: Cpu;
}

interface Row {
  leg: Leg;
  sequential?: Latencies;
  /** Every round of the loaded phase; `load` and `cpu` are the median one's. */
  rounds: LoadRound[];
  load?: Throughput;
  cpu?: Cpu;
}

async function warmUp(call: Call): Promise<void> {
  const until = performance.now() + settings.warmupMinMs;
  for (let round = 0; round < 10 && (round === 0 || performance.now() < until); round++) {
    await sequential(call, settings.warmup, 10_000);
    await loaded(call, settings.warmup * 5, 10_000, settings.inFlight);
  }
}

/** Warm-up, then latency: one call at a time. */
async function measureLatency(leg: Leg): Promise<Row> {
  if (!leg.call) return { leg, rounds: [] };
  process.stdout.write(`  ${leg.label}: warming up…`);
  await warmUp(leg.call);
  process.stdout.write(' sequential…');
  const seq = await sequential(leg.call, settings.sequential, settings.sequentialMaxMs);
  process.stdout.write(' done\n');
  return { leg, sequential: seq, rounds: [] };
}

/** One round of the loaded phase, with the CPU each process spent in it. */
async function measureLoad(leg: Leg & { call: Call }): Promise<LoadRound> {
  const before = { client: process.cpuUsage(), front: cpuSecondsOf(leg.frontPid), server: cpuSecondsOf(leg.serverPid), machine: machineTicks() };
  const load = await loaded(leg.call, settings.loadCalls, settings.loadMaxMs, settings.inFlight);
  const after = { client: process.cpuUsage(before.client), front: cpuSecondsOf(leg.frontPid), server: cpuSecondsOf(leg.serverPid), machine: machineTicks() };
  const share = (seconds: number) => (100 * seconds) / load.seconds;
  const cpu: Cpu = {
    client: share((after.client.user + after.client.system) / 1e6),
    front: leg.frontPid === undefined ? Number.NaN : share(after.front - before.front),
    server: share(after.server - before.server),
    machine: before.machine && after.machine ? (100 * (after.machine.busy - before.machine.busy)) / (after.machine.total - before.machine.total) : Number.NaN,
  };
  return { load, cpu };
}

/**
 * The loaded phase in rounds that take the rows in turn, so that a slow spell of the machine
 * lands on every row alike; each row reports its median round.
 */
async function measureLoadInRounds(rows: Row[]): Promise<void> {
  for (let round = 1; round <= settings.rounds; round++) {
    process.stdout.write(`  ${settings.inFlight} in flight, round ${round} of ${settings.rounds}:`);
    for (const row of rows) {
      if (!row.leg.call) continue;
      process.stdout.write(` ${row.leg.key}…`);
      row.rounds.push(await measureLoad(row.leg as Leg & { call: Call }));
    }
    process.stdout.write(' done\n');
  }
  for (const row of rows) {
    const sorted = [...row.rounds].sort((a, b) => a.load.callsPerSecond - b.load.callsPerSecond);
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    if (median) Object.assign(row, median);
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

const ms = (value: number | undefined, digits = 3) => (value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : '—');
const count = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');

/** CPU time per call of a process that used `share` percent of one core in the loaded phase: steadier than calls/s when something else runs on the machine. */
function microsPerCall(load: Throughput, share: number): number {
  return ((share / 100) * load.seconds * 1e6) / Math.max(1, load.count + load.errors);
}

function printTable(rows: Row[]): void {
  const at = `@${settings.inFlight}`;
  const header = ['way of calling echo', 'p50 ms', 'p99 ms', 'mean ms', `calls/s ${at}`, `p50 ${at}`, `p99 ${at}`, 'errors'];
  const lines = rows.map(({ leg, sequential: s, load: l }) =>
    leg.call ? [leg.label, ms(s?.p50), ms(s?.p99), ms(s?.mean), count(l?.callsPerSecond), ms(l?.p50), ms(l?.p99), String((s?.errors ?? 0) + (l?.errors ?? 0))] : [leg.label, 'unavailable', '', '', '', '', '', ''],
  );
  printMarkdownTable(header, lines);
}

function printDetails(rows: Row[]): void {
  console.log('');
  for (const { leg, sequential: s, load: l, cpu, rounds } of rows) {
    if (!leg.call || !s || !l || !cpu) {
      console.log(`${leg.label}: unavailable: ${leg.unavailable}`);
      continue;
    }
    const cpuOf = (share: number) => (Number.isFinite(share) ? `${share.toFixed(0)}% (${microsPerCall(l, share).toFixed(0)} µs/call)` : 'n/a');
    const front = leg.key === 'supergateway' ? 'supergateway' : 'platform';
    console.log(
      `${leg.label}: ${s.count} sequential (${s.errors} errors); median round ${l.count} at ${settings.inFlight} in flight in ${l.seconds.toFixed(2)} s (${l.errors} errors); ` +
        `calls/s by round ${rounds.map((r) => count(r.load.callsPerSecond)).join(', ')}\n` +
        `    CPU while loaded, % of one core: client ${cpuOf(cpu.client)}` +
        (leg.frontPid === undefined ? '' : `, ${front} process ${cpuOf(cpu.front)}`) +
        `, server-everything ${cpuOf(cpu.server)}; whole machine ${ms(cpu.machine, 0)}% busy (${availableParallelism()} cores)`,
    );
    const firstError = s.firstError ?? l.firstError;
    if (firstError) console.log(`    first error: ${firstError}`);
  }
}

function printVerdicts(rows: Row[]): void {
  const row = (key: LegKey) => rows.find((candidate) => candidate.leg.key === key && candidate.leg.call);
  const [direct, mcp, rest, supergateway] = legKeys.map(row);
  const clean = (r: Row) => r.sequential?.errors === 0 && r.load?.errors === 0;
  const ratio = (r?: Row) => (r && supergateway ? r.load!.callsPerSecond / supergateway.load!.callsPerSecond : undefined);
  const overhead = (r?: Row) => (r && direct ? r.sequential!.p50 - direct.sequential!.p50 : undefined);
  const verdict = (ok: boolean | undefined, r?: Row) => (ok === undefined ? 'n/a' : !ok ? 'MISS' : r && !clean(r) ? 'MISS (errors)' : 'PASS');
  const times = (value?: number) => (value === undefined ? '—' : `${value.toFixed(2)}×`);
  const plus = (value?: number) => (value === undefined ? '—' : `${value >= 0 ? '+' : ''}${value.toFixed(3)} ms`);

  console.log('');
  const mcpRatio = ratio(mcp);
  const mcpOverhead = overhead(mcp);
  const throughputTarget = `calls/s at ${targets.inFlight} in flight ≥ ${targets.throughputRatio}× supergateway's`;
  console.log(`Targets (from the issue), for POST /mcp${mcp ? '' : ' (unavailable in this run)'}:`);
  if (settings.inFlight !== targets.inFlight) {
    console.log(`  ${throughputTarget}: n/a (this run had ${settings.inFlight} in flight)`);
  } else {
    const detail = mcp && supergateway ? ` (${count(mcp.load!.callsPerSecond)} vs ${count(supergateway.load!.callsPerSecond)})` : '';
    console.log(`  ${throughputTarget}: ${times(mcpRatio)}${detail}  ${verdict(mcpRatio === undefined ? undefined : mcpRatio >= targets.throughputRatio, mcp)}`);
  }
  console.log(`  p50 overhead over direct ≤ ${targets.p50OverheadMs} ms: ${plus(mcpOverhead)}  ${verdict(mcpOverhead === undefined ? undefined : mcpOverhead <= targets.p50OverheadMs, mcp)}`);
  console.log('For comparison (not targets):');
  if (rest) console.log(`  REST route:   ${times(ratio(rest))} supergateway's calls/s; p50 ${plus(overhead(rest))} over direct`);
  if (supergateway) console.log(`  supergateway: p50 ${plus(overhead(supergateway))} over direct; direct makes ${times(ratio(direct))} its calls/s`);
  // Client and fronts share this machine's cores, so calls/s also measures the client. The CPU
  // each front spends per call says what it could do on a core of its own.
  const frontMicros = (r?: Row) => (r?.cpu && Number.isFinite(r.cpu.front) ? microsPerCall(r.load!, r.cpu.front) : undefined);
  const gatewayMicros = frontMicros(supergateway);
  for (const r of [mcp, rest]) {
    const micros = frontMicros(r);
    if (micros === undefined || gatewayMicros === undefined) continue;
    console.log(
      `  CPU per call in the front process, ${r!.leg.key === 'mcp' ? 'POST /mcp' : 'REST route'}: ${micros.toFixed(0)} µs (platform) vs ${gatewayMicros.toFixed(0)} µs (supergateway): ` +
        `${times(gatewayMicros / micros)} the calls/s per core`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Main.

async function main(): Promise<void> {
  const legs: Leg[] = [];
  const apps: AppProcess[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'bench-mcp-'));
  // As root the embedded Postgres runs as the `postgres` user, which must be able to pass through.
  chmodSync(scratch, 0o711);
  if (settings.cpuProfileDir) mkdirSync(settings.cpuProfileDir, { recursive: true });

  const cleanup = cleanupOnEnd({
    stop: async () => {
      // A client's goodbye (DELETE of its session) gets a few seconds; the processes stop regardless.
      await Promise.race([Promise.all(legs.map((leg) => leg.close())), sleep(5_000, undefined, { ref: false })]);
      await Promise.all(apps.map((app) => app.stop('SIGTERM', 15_000)));
    },
    watchdogMs: settings.watchdogMs,
    onSignal: 'stopping every process the bench started',
    killLeftovers: true,
    scratch,
  });

  console.log('MCP bench: one trivial tool call (echo on server-everything), four ways, in one run.');
  console.log(
    `  Node ${process.version} · ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}) · MCP SDK ${versionOf('@modelcontextprotocol/sdk')} · ` +
      `server-everything ${versionOf('@modelcontextprotocol/server-everything')} · supergateway ${versionOf('supergateway')}`,
  );
  console.log(`  Load average before the run: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (1, 5, 15 min); other work on the machine skews the figures.`);
  console.log(
    `  Per row: warm-up (≥ ${settings.warmupMinMs / 1_000} s) and ${settings.sequential} sequential calls; then ${settings.rounds} rounds that take the rows in turn, ` +
      `each ${settings.loadCalls} calls or ${settings.loadMaxMs / 1_000} s (whichever first) at ${settings.inFlight} in flight; a row shows its median round. Every reply is checked.`,
  );
  console.log(
    settings.client === 'light'
      ? '  HTTP rows use a light client (node:http, keep-alive), so that the fronts, not the client, fill the cores; BENCH_CLIENT=sdk uses the SDK client.'
      : '  HTTP rows use the SDK client (BENCH_CLIENT=sdk); its own CPU per call exceeds either front\'s, so calls/s measures it as much as them.',
  );
  if (settings.cpuProfileDir) console.log(`  CPU profiles of the platform and supergateway go to ${settings.cpuProfileDir} (written when they stop).`);

  const rows: Row[] = [];
  let failure: unknown;
  try {
    const wantPlatform = settings.rows.some((key) => key === 'mcp' || key === 'rest');
    const wantSupergateway = settings.rows.includes('supergateway');
    process.stdout.write(`  Starting ${[wantPlatform && 'the platform (standalone)', wantSupergateway && 'supergateway'].filter(Boolean).join(' and ') || 'nothing'}…`);
    const begin = performance.now();
    // Both settle before going on, so that stopAll knows every process either of them started.
    const [platformStart, supergatewayStart] = await Promise.allSettled([
      wantPlatform ? startPlatform(scratch) : undefined,
      wantSupergateway ? startSupergateway() : undefined,
    ]);
    for (const start of [platformStart, supergatewayStart]) if (start.status === 'fulfilled' && start.value) apps.push(start.value.process);
    if (platformStart.status === 'rejected') throw platformStart.reason;
    if (supergatewayStart.status === 'rejected') throw supergatewayStart.reason;
    const [platform, supergateway] = [platformStart.value, supergatewayStart.value];
    const database = process.env.DATABASE_URL ? 'platform on DATABASE_URL' : 'platform on an embedded Postgres';
    console.log(` ready in ${((performance.now() - begin) / 1_000).toFixed(1)} s${platform ? ` (${database})` : ''}.`);
    console.log('');

    for (const key of settings.rows) {
      if (key === 'direct') legs.push(await directLeg());
      if (key === 'mcp') legs.push(await mcpLeg(platform!));
      if (key === 'rest') legs.push(await restLeg(platform!));
      if (key === 'supergateway') legs.push(await supergatewayLeg(supergateway!));
    }
    for (const leg of legs) {
      if (leg.unavailable) console.log(`  ${leg.label}: unavailable: ${leg.unavailable}`);
      rows.push(await measureLatency(leg));
    }
    await measureLoadInRounds(rows);
  } catch (error) {
    failure = error;
  } finally {
    await cleanup.stopAll();
  }

  if (rows.length) {
    console.log('');
    printTable(rows);
    printDetails(rows);
    printVerdicts(rows);
  }
  if (failure) {
    console.error('\nThe bench failed:', failure instanceof Error ? failure.message : failure);
    process.exitCode = 1;
  }
}

runBench(main);
