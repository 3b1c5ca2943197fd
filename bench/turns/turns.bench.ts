/**
 * How much the platform adds to a chat turn, in both topologies, one after the other: as
 * production runs it (gateway, conversations and MCP broker, each its own process, over Redis, on
 * Postgres) and as `npm start` runs it (one process, its apps linked in it, on Postgres), against
 * a fake OpenAI-compatible model that answers at once. Each turn: the user's question is posted, the
 * model asks for one `data__query` over a CSV in the user's data folder, the broker's data server
 * runs it, the model answers in three text chunks, and the turn ends with `done`. At 1, 16 and 64
 * concurrent conversations it prints turns per second and, per turn, the time from the POST to
 * `done` and the platform's own overhead: that time minus the fake model's time for the turn's
 * requests (timed in the fake) minus the tool's time for the turn's call (timed in the broker around
 * its call to the data server, and reported in the turn's `tool-result` as `serverMs`). Beside it,
 * the overhead with a baseline taken off instead: the same SQL against the same data server binary
 * and file, from this process with the MCP SDK's stdio client, one call at a time before the levels.
 *
 * Each level has two runs of the same kind of conversations. The closed loop: each conversation
 * posts its next turn as soon as the last one is done, which saturates the machine's cores from
 * 16 on (the throughput, and latency when full). The paced run: each waits a think time between
 * its turns, as people in a chat do (latency when the platform serves that many open
 * conversations without being saturated). The target at 16 is judged on each run, labelled.
 *
 *   npm run bench:turns
 *
 * It needs the Postgres and Redis of the tests (TEST_DATABASE_URL, TEST_REDIS_URL; by default
 * postgres://postgres@127.0.0.1:5432/test and redis://127.0.0.1:6379). The platform gets a
 * database of its own and a Redis key prefix of its own, both removed at the end (also on Ctrl-C).
 * Environment:
 *   BENCH_TOPOLOGY                 distributed, standalone or both (default both)
 *   BENCH_LEVELS                   concurrent conversations of each level (default 1,16,64)
 *   BENCH_TURNS_PER_CONVERSATION   measured turns of a conversation, after its first (default 10)
 *   BENCH_MIN_TURNS                measured turns of a level's closed loop at least; more conversations when needed (default 200)
 *   BENCH_THINK_MS                 the paced run's think time between a conversation's turns, ±50% at random (default 1000)
 *   BENCH_PACED_TURNS              measured turns of each open conversation of the paced run, in conversations of
 *                                  BENCH_TURNS_PER_CONVERSATION turns (default 30: 480 turns at 16, about 35 s a level)
 *   BENCH_CSV_ROWS                 rows of the user's CSV (default 10000)
 *   BENCH_TOOL_CALLS               calls of the in-process tool baseline (default 300)
 *   BENCH_SDK_TURNS                turns of the AI SDK alone (default 300)
 *   BENCH_LOG_LEVEL                the apps' LOG_LEVEL (default info, as production runs them)
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { compareTurnEventIds, type PostedMessage } from '@dataflow/shared';
import { FakeOpenAI, type FakeRequest } from '@dataflow/shared/testing';
import { type Cleanup, cleanupOnEnd } from '../lib/cleanup.js';
import { type Latencies, loaded, sequential, summarize, type Throughput } from '../lib/measure.js';
import { BenchPlatform, type Topology } from '../lib/platform.js';
import { cpuSecondsOf, descendantRunning } from '../lib/process-table.js';
import { machineTicks, printMarkdownTable } from '../lib/report.js';
import { runBench } from '../lib/run.js';
import { LightHttpClient } from '../mcp/light-client.js';

// ---------------------------------------------------------------------------------------------
// Settings.

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

function levelsWanted(): number[] {
  const levels = (process.env.BENCH_LEVELS ?? '1,16,64').split(',').map((word) => Number(word.trim()));
  if (!levels.length || levels.some((level) => !Number.isInteger(level) || level < 1)) throw new Error(`BENCH_LEVELS: ${process.env.BENCH_LEVELS} is not a list of whole numbers ≥ 1`);
  return levels;
}

function topologiesWanted(): Topology[] {
  const wanted = (process.env.BENCH_TOPOLOGY ?? 'both').trim();
  if (wanted === 'both') return ['distributed', 'standalone'];
  if (wanted === 'distributed' || wanted === 'standalone') return [wanted];
  throw new Error(`BENCH_TOPOLOGY: ${wanted} is not distributed, standalone or both`);
}

const settings = {
  topologies: topologiesWanted(),
  levels: levelsWanted(),
  turnsPerConversation: positiveInt('BENCH_TURNS_PER_CONVERSATION', 10),
  minTurns: positiveInt('BENCH_MIN_TURNS', 200),
  thinkMs: positiveInt('BENCH_THINK_MS', 1_000),
  pacedTurns: positiveInt('BENCH_PACED_TURNS', 30),
  csvRows: positiveInt('BENCH_CSV_ROWS', 10_000),
  toolCalls: positiveInt('BENCH_TOOL_CALLS', 300),
  sdkTurns: positiveInt('BENCH_SDK_TURNS', 300),
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  /** Before the levels: this many conversations of this many turns, at once (starts the user's data server, warms every process). */
  warmupConversations: 4,
  warmupTurns: 6,
  toolWarmupCalls: 30,
  turnTimeoutMs: 60_000,
  /** The whole run, after which it gives up and stops every process it started. */
  watchdogMs: 30 * 60_000,
};

/** From the requirement: the overhead at 16 concurrent conversations, judged on the paced run and on the closed loop. */
const targets = { concurrency: 16, p50Ms: 15, p99Ms: 60 };

// dist/bench/turns/ → the repository.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const dataServer = join(root, 'dist/servers/data/main.js');

// ---------------------------------------------------------------------------------------------
// The data and what the fake model says.

const regions = ['europe-west', 'europe-north', 'americas-east', 'americas-west', 'asia-pacific'];
const categories = ['electronics', 'groceries', 'home', 'clothing', 'toys', 'books', 'sports', 'beauty'];

/** id, day, region, category, amount, qty: the same rows every run. */
function salesCsv(rows: number): string {
  const lines = ['id,day,region,category,amount,qty'];
  for (let i = 0; i < rows; i++) {
    const day = new Date(Date.UTC(2025, 0, 1) + (i % 365) * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${i},${day},${regions[(i * 31) % regions.length]},${categories[i % categories.length]},${(((i * 2654435761) % 100_000_000) / 10_000).toFixed(2)},${1 + ((i * 17) % 20)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The `n`th query. `id <> -n` holds for every row, so every query does the same work, but no two
 * send the same SQL: the broker's analysis cache (read-only, idempotent results) cannot answer.
 */
const sqlFor = (n: number) =>
  `SELECT region, count(*) AS orders, round(sum(amount), 2) AS total, round(avg(qty), 2) AS avg_qty FROM sales WHERE id <> -${n} GROUP BY region ORDER BY region`;

const answer = { text: 'The total amount per region is in the table above; the largest region leads by a few percent.', chunks: 3 };
/** The turn's number, in its question; found in the last user message of each of the turn's model requests. */
const tagOf = (n: number) => `[turn ${n}]`;
const questionFor = (n: number) => `What is the total amount per region? ${tagOf(n)}`;
const tagPattern = /\[turn (\d+)\]/;

/** What the turn's SSE stream must hold, by event type: anything missing is lost, anything more is duplicated. */
const expectedEvents: Record<string, number> = { start: 1, 'tool-call': 1, 'tool-result': 1, table: 1, 'text-delta': answer.chunks, usage: 1, done: 1 };

/**
 * The fake answers every request: a title for a new conversation (the request without tools),
 * the answer once the last message is the tool's result, and otherwise (the user's question is
 * the last message) the next queued tool call. Each turn queues one, with the next query, before
 * it posts; turns at once may take each other's, but no query is asked twice.
 */
function script(fake: FakeOpenAI): void {
  fake.route((request) => request.tools === undefined, { text: '"Bench title."' });
  fake.route((request) => request.messages.at(-1)?.role === 'tool', answer);
}

// ---------------------------------------------------------------------------------------------
// The platform.

interface Setup {
  fake: FakeOpenAI;
  http: LightHttpClient;
  events: Agent;
  auth: Record<string, string>;
  host: { hostname: string; port: string };
}

/** The data server alone, as test/fixtures/mcp-uploads.json has it, with absolute paths: the apps run in the build's folder. */
function mcpConfig(): string {
  return JSON.stringify({ mcpServers: { data: { command: process.execPath, args: [dataServer, '--root', '${USER_DATA_DIR}'], scope: 'user', description: "The user's data files" } } }, null, 2);
}

async function api<T>(setup: Setup, method: string, path: string, body?: unknown): Promise<{ status: number; json: T; text: string }> {
  const reply = await setup.http.request(method, path, { ...setup.auth, accept: 'application/json' }, settings.turnTimeoutMs, body === undefined ? undefined : JSON.stringify(body));
  return { status: reply.status, json: (reply.body ? JSON.parse(reply.body) : undefined) as T, text: reply.body };
}

// ---------------------------------------------------------------------------------------------
// One turn.

interface StreamedEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

interface TurnResult {
  n: number;
  /** From the POST to the `done` event on the turn's stream. */
  ms: number;
  /** Set when the turn failed (HTTP error, timeout, no `done`, not complete). */
  failure?: string;
  lost: number;
  duplicated: number;
  /** Other things wrong with the stream: order, ids, text, a cached or failed tool result. */
  problems: string[];
  cached: boolean;
  /** The data server's time for the turn's call, as the broker timed it (`serverMs` of `tool-result`). */
  toolMs?: number;
  sql?: string;
}

/** Reads a turn's SSE stream to its end; `doneAt` is when the `done` event arrived. */
function readEvents(setup: Setup, turnId: string): Promise<{ events: StreamedEvent[]; doneAt?: number }> {
  return new Promise((resolve, reject) => {
    const events: StreamedEvent[] = [];
    let doneAt: number | undefined;
    const request = httpRequest(
      { host: setup.host.hostname, port: setup.host.port, path: `/api/v1/turns/${turnId}/events`, method: 'GET', agent: setup.events, headers: { ...setup.auth, accept: 'text/event-stream' } },
      (response) => {
        response.setEncoding('utf8');
        if (response.statusCode !== 200) {
          let text = '';
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => reject(new Error(`the events answered HTTP ${response.statusCode}: ${text.slice(0, 200)}`)));
          return;
        }
        let buffer = '';
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const field = (name: string) => block.split('\n').find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
            const type = field('event');
            if (!type) continue; // a keep-alive comment
            events.push({ id: field('id') ?? '', type, data: JSON.parse(field('data') ?? '{}') as Record<string, unknown> });
            if (type === 'done') doneAt ??= performance.now();
          }
        });
        response.on('end', () => resolve({ events, doneAt }));
        response.on('error', reject);
      },
    );
    request.setTimeout(settings.turnTimeoutMs, () => request.destroy(new Error(`the turn's stream was silent for ${settings.turnTimeoutMs / 1_000} s`)));
    request.on('error', reject);
    request.end();
  });
}

/** Checks a turn's stream against what the user should see: start…done, one tool call and result, the whole answer, each event once, ids increasing. */
function check(events: StreamedEvent[], result: TurnResult): void {
  const seen = new Set<string>();
  const unique: StreamedEvent[] = [];
  let previous: string | undefined;
  for (const event of events) {
    if (seen.has(event.id)) {
      result.duplicated++;
      continue;
    }
    seen.add(event.id);
    if (previous !== undefined && compareTurnEventIds(event.id, previous) <= 0) result.problems.push(`event id ${event.id} after ${previous}`);
    previous = event.id;
    unique.push(event);
  }
  const counts = new Map<string, number>();
  for (const { type } of unique) counts.set(type, (counts.get(type) ?? 0) + 1);
  for (const [type, wanted] of Object.entries(expectedEvents)) {
    const have = counts.get(type) ?? 0;
    if (have < wanted) result.lost += wanted - have;
    if (have > wanted) result.duplicated += have - wanted;
  }
  for (const type of counts.keys()) if (!(type in expectedEvents)) result.problems.push(`an unexpected ${type} event`);
  const types = unique.map((event) => event.type);
  const at = (type: string) => types.indexOf(type);
  if (types[0] !== 'start' || types.at(-1) !== 'done') result.problems.push(`the stream runs ${types[0]}…${types.at(-1)}, not start…done`);
  if (!(at('tool-call') < at('tool-result') && at('tool-result') < at('text-delta'))) result.problems.push(`out of order: ${types.join(', ')}`);
  const text = unique.filter((event) => event.type === 'text-delta').map((event) => event.data.text).join('');
  if (text !== answer.text) result.problems.push(`the text is ${JSON.stringify(text.slice(0, 80))}`);
  const call = unique.find((event) => event.type === 'tool-call');
  result.sql = (call?.data.arguments as { sql?: string } | undefined)?.sql;
  const toolResult = unique.find((event) => event.type === 'tool-result');
  if (toolResult && toolResult.data.isError !== false) result.problems.push(`the tool failed: ${JSON.stringify(toolResult.data.result)?.slice(0, 200)}`);
  result.cached = toolResult?.data.cached === true;
  result.toolMs = typeof toolResult?.data.serverMs === 'number' ? toolResult.data.serverMs : undefined;
  if (result.cached) result.problems.push("the broker's analysis cache answered the query");
  const done = unique.find((event) => event.type === 'done');
  if (done && done.data.status !== 'complete') result.failure = `the turn ended ${String(done.data.status)}`;
}

let turnsPosted = 0;

/** Posts the next question to the conversation and follows its turn to `done`. */
async function runTurn(setup: Setup, conversationId: string): Promise<TurnResult> {
  const n = ++turnsPosted;
  const result: TurnResult = { n, ms: Number.NaN, lost: 0, duplicated: 0, problems: [], cached: false };
  setup.fake.reply({ toolCalls: [{ name: 'data__query', arguments: { sql: sqlFor(n) } }] });
  const posted = performance.now();
  try {
    const reply = await api<PostedMessage>(setup, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: questionFor(n) });
    if (reply.status !== 202) throw new Error(`the POST answered HTTP ${reply.status}: ${reply.text.slice(0, 200)}`);
    const { events, doneAt } = await readEvents(setup, reply.json.turnId);
    if (doneAt === undefined) result.failure = 'the stream ended without done';
    else result.ms = doneAt - posted;
    check(events, result);
  } catch (error) {
    result.failure = error instanceof Error ? error.message : String(error);
  }
  return result;
}

async function newConversation(setup: Setup): Promise<string> {
  const created = await api<{ id: string }>(setup, 'POST', '/api/v1/conversations', {});
  if (created.status !== 201) throw new Error(`creating a conversation answered HTTP ${created.status}: ${created.text.slice(0, 200)}`);
  return created.json.id;
}

/** Runs `work` for 0…count-1, at most `inFlight` at once. */
async function inParallel<T>(count: number, inFlight: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) results[index] = await work(index);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  return results;
}

/** A new conversation with its first turn done: the first turn also titles it, a model request of its own. */
async function startedConversation(setup: Setup): Promise<string> {
  const id = await newConversation(setup);
  const first = await runTurn(setup, id);
  if (first.failure) throw new Error(`the first turn of a conversation failed: ${first.failure}`);
  return id;
}

// ---------------------------------------------------------------------------------------------
// The tool's own time: the baseline.

/**
 * The data server binary the broker runs, on the same folder, called from this process with the
 * MCP SDK's stdio client: the tool's own time, with nothing of the platform in between.
 */
class DirectTool {
  private calls = 0;

  private constructor(private readonly client: Client) {}

  static async open(folder: string): Promise<DirectTool> {
    const transport = new StdioClientTransport({ command: process.execPath, args: [dataServer, '--root', folder], cwd: root, stderr: 'ignore' });
    const client = new Client({ name: 'bench-turns', version: '1.0.0' });
    await client.connect(transport);
    return new DirectTool(client);
  }

  /** The same kind of SQL as the turns', each call's distinct (the data server has no cache; the numbers are beyond the turns'). */
  private readonly call = async () => {
    const sql = sqlFor(1_000_000 + ++this.calls);
    const result = (await this.client.callTool({ name: 'query', arguments: { sql } }, undefined, { timeout: settings.turnTimeoutMs })) as CallToolResult;
    if (result.isError || (result.structuredContent as { rowCount?: number } | undefined)?.rowCount !== regions.length) throw new Error(`query answered ${JSON.stringify(result).slice(0, 200)}`);
  };

  /** The baseline: one call at a time, after a warm-up. Its p50 is every turn's tool time. */
  async sequential(): Promise<Latencies> {
    await sequential(this.call, settings.toolWarmupCalls, 30_000);
    return sequential(this.call, settings.toolCalls, 60_000);
  }

  /** For comparison with a level: the tool alone with as many calls in flight as the level has conversations. */
  loaded(inFlight: number): Promise<Throughput> {
    return loaded(this.call, Math.max(settings.toolCalls, 10 * inFlight), 10_000, inFlight);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

// ---------------------------------------------------------------------------------------------
// What the machine and the required model client cost on their own: the floors under the overhead.

interface SdkAlone {
  turns: number;
  p50Ms: number;
  p99Ms: number;
  /** The SDK's client side, per turn of two model requests (its own process: the fake is not in it). */
  cpuMsPerTurn: number;
}

/** In every question of the SDK-alone turns, for the fake to answer them with the tool call. */
const sdkAloneMarker = '[sdk alone]';

/**
 * The bench's turn made by the AI SDK alone (dist/bench/turns/sdk-alone.js, in a process of its
 * own), against a fake model of its own that answers as the platform's does. No platform runs
 * meanwhile.
 */
async function sdkAlone(): Promise<SdkAlone> {
  const fake = await FakeOpenAI.start();
  try {
    script(fake);
    fake.route((request) => JSON.stringify(request.messages.at(-1)?.content ?? '').includes(sdkAloneMarker), { toolCalls: [{ name: 'data__query', arguments: { sql: sqlFor(0) } }] });
    const child = spawn(process.execPath, [join(root, 'dist/bench/turns/sdk-alone.js'), fake.baseUrl, String(settings.sdkTurns), sdkAloneMarker], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`the AI SDK alone exited with ${code}`);
    return JSON.parse(output) as SdkAlone;
  } finally {
    await fake.stop();
  }
}

interface WakeLatency {
  /** A small write to another process and its echo, the processes idle between round trips (as a turn's hops find them). */
  idle: Latencies;
  /** The same, back to back (both processes stay awake). */
  busy: Latencies;
}

/**
 * What one hop between processes costs on this machine: round trips over loopback to an echo
 * server in a child process, 5 ms apart and back to back. A distributed turn crosses many more
 * process boundaries (gateway, Redis, conversations, Postgres, broker, data server) than a
 * standalone one, and pays this for each.
 */
async function wakeLatency(): Promise<WakeLatency> {
  const echo = spawn(process.execPath, ['-e', "require('node:net').createServer((s) => s.on('data', (d) => s.write(d))).listen(0, '127.0.0.1', function () { console.log(this.address().port); })"], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(echo.stdout.setEncoding('utf8'), 'data')) as [string];
    const socket = connect(Number(line.trim()), '127.0.0.1');
    await once(socket, 'connect');
    socket.setNoDelay(true);
    const roundTrips = async (count: number, gapMs: number) => {
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        if (gapMs) await sleep(gapMs);
        const started = performance.now();
        const echoed = once(socket, 'data');
        socket.write('ping');
        await echoed;
        samples.push(performance.now() - started);
      }
      return summarize(samples, 0);
    };
    await roundTrips(100, 0);
    const result = { idle: await roundTrips(300, 5), busy: await roundTrips(2_000, 0) };
    socket.destroy();
    return result;
  } finally {
    echo.kill();
  }
}

// ---------------------------------------------------------------------------------------------
// A level: so many conversations at once, first back to back (the closed loop), then paced.

interface Processes {
  gateway: number;
  conversations?: number;
  broker?: number;
  dataServer?: number;
}

interface Cpu {
  /** CPU milliseconds per measured turn. */
  bench: number;
  gateway: number;
  conversations: number;
  broker: number;
  dataServer: number;
  /** Percent of the whole machine (Postgres and Redis included). */
  machine: number;
}

/** The closed loop posts a conversation's next turn as soon as the last one is done; the paced run waits a think time first. */
type Pacing = 'closed loop' | 'paced';

interface Run {
  pacing: Pacing;
  concurrency: number;
  conversations: number;
  turns: TurnResult[];
  seconds: number;
  cpu: Cpu;
  /** The fake's time per measured turn, and how many requests made it (two each). */
  fakeMs: Map<number, { ms: number; requests: number }>;
}

interface Level {
  concurrency: number;
  closed: Run;
  /** The tool alone with `concurrency` calls in flight, measured right after the closed loop. */
  toolAlone: Throughput;
  paced: Run;
}

function cpuNow(pids: Processes) {
  return {
    bench: process.cpuUsage(),
    gateway: cpuSecondsOf(pids.gateway),
    conversations: cpuSecondsOf(pids.conversations),
    broker: cpuSecondsOf(pids.broker),
    dataServer: cpuSecondsOf(pids.dataServer),
    machine: machineTicks(),
  };
}

/** The fake's time for each turn: the requests whose last user message is the turn's question (its model steps, and its title on a first turn). */
function fakeTimes(requests: FakeRequest[]): Map<number, { ms: number; requests: number }> {
  const byTurn = new Map<number, { ms: number; requests: number }>();
  for (const request of requests) {
    const lastUser = request.messages.findLast((message) => message.role === 'user');
    const content = typeof lastUser?.content === 'string' ? lastUser.content : JSON.stringify(lastUser?.content ?? '');
    const tag = tagPattern.exec(content);
    if (!tag) continue;
    const n = Number(tag[1]);
    const entry = byTurn.get(n) ?? { ms: 0, requests: 0 };
    entry.ms += request.served?.durationMs ?? Number.NaN;
    entry.requests++;
    byTurn.set(n, entry);
  }
  return byTurn;
}

/** Before a paced turn: the think time ±50% at random, so that the conversations do not move in lockstep. */
const thinkTime = () => settings.thinkMs * (0.5 + Math.random());

/**
 * `concurrency` workers, each making `turnsEach` measured turns in conversations of its own,
 * `settings.turnsPerConversation` in each (they are started beforehand; their first turns are not
 * measured). Paced, a worker waits a think time before each turn, and up to one think time before
 * its first, so that the workers start spread out.
 */
async function runTurns(setup: Setup, pids: Processes, concurrency: number, turnsEach: number, pacing: Pacing): Promise<Run> {
  const perWorker = Math.ceil(turnsEach / settings.turnsPerConversation);
  const count = concurrency * perWorker;
  process.stdout.write(`  ${concurrency} at once, ${pacing}: ${count} conversations and their first turns (not measured)…`);
  const conversations = await inParallel(count, concurrency, () => startedConversation(setup));
  setup.fake.requests.splice(0);
  process.stdout.write(` ${concurrency * turnsEach} turns…`);
  const turns: TurnResult[] = [];
  const before = cpuNow(pids);
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let turn = 0; turn < turnsEach; turn++) {
        if (pacing === 'paced') await sleep(turn === 0 ? Math.random() * settings.thinkMs : thinkTime());
        const conversation = conversations[worker * perWorker + Math.floor(turn / settings.turnsPerConversation)]!;
        turns.push(await runTurn(setup, conversation));
      }
    }),
  );
  const seconds = (performance.now() - begin) / 1_000;
  const after = cpuNow(pids);
  const fakeMs = fakeTimes(setup.fake.requests.splice(0));
  const perTurn = (cpuSeconds: number) => (1_000 * cpuSeconds) / turns.length;
  const benchCpu = process.cpuUsage(before.bench);
  const cpu: Cpu = {
    bench: perTurn((benchCpu.user + benchCpu.system) / 1e6),
    gateway: perTurn(after.gateway - before.gateway),
    conversations: perTurn(after.conversations - before.conversations),
    broker: perTurn(after.broker - before.broker),
    dataServer: perTurn(after.dataServer - before.dataServer),
    machine: before.machine && after.machine ? (100 * (after.machine.busy - before.machine.busy)) / (after.machine.total - before.machine.total) : Number.NaN,
  };
  process.stdout.write(` done in ${seconds.toFixed(1)} s\n`);
  return { pacing, concurrency, conversations: count, turns, seconds, cpu, fakeMs };
}

async function runLevel(setup: Setup, pids: Processes, tool: DirectTool, concurrency: number): Promise<Level> {
  const closedEach = settings.turnsPerConversation * Math.max(1, Math.ceil(settings.minTurns / (concurrency * settings.turnsPerConversation)));
  const closed = await runTurns(setup, pids, concurrency, closedEach, 'closed loop');
  process.stdout.write(`  ${concurrency} at once, the tool alone…`);
  const toolAlone = await tool.loaded(concurrency);
  process.stdout.write(' done\n');
  const paced = await runTurns(setup, pids, concurrency, settings.pacedTurns, 'paced');
  return { concurrency, closed, toolAlone, paced };
}

// ---------------------------------------------------------------------------------------------
// Report.

const ms = (value: number | undefined, digits = 1) => (value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : '—');

interface Figures {
  run: Run;
  failed: TurnResult[];
  lost: number;
  duplicated: number;
  problems: number;
  cached: number;
  toDone: Latencies;
  fake: Latencies;
  /** The tool's time per turn, as the broker timed it. */
  tool: Latencies;
  overhead: Latencies;
  /** The overhead with the baseline's p50 taken off each turn instead of the turn's own tool time. */
  overheadVsBaseline: Latencies;
  turnsPerSecond: number;
  /** Measured turns whose fake time was not made of exactly two requests, or without a tool time. */
  unattributed: number;
}

interface LevelFigures {
  level: Level;
  closed: Figures;
  paced: Figures;
}

function figuresOf(run: Run, baselineMs: number): Figures {
  const ok = run.turns.filter((turn) => !turn.failure);
  const attributed = ok.filter((turn) => run.fakeMs.get(turn.n)?.requests === 2 && Number.isFinite(run.fakeMs.get(turn.n)!.ms) && turn.toolMs !== undefined);
  const fakeOf = (turn: TurnResult) => run.fakeMs.get(turn.n)!.ms;
  return {
    run,
    failed: run.turns.filter((turn) => turn.failure),
    lost: run.turns.reduce((sum, turn) => sum + turn.lost, 0),
    duplicated: run.turns.reduce((sum, turn) => sum + turn.duplicated, 0),
    problems: run.turns.filter((turn) => turn.problems.length).length,
    cached: run.turns.filter((turn) => turn.cached).length,
    toDone: summarize(ok.map((turn) => turn.ms), 0),
    fake: summarize(attributed.map(fakeOf), 0),
    tool: summarize(attributed.map((turn) => turn.toolMs!), 0),
    overhead: summarize(attributed.map((turn) => turn.ms - fakeOf(turn) - turn.toolMs!), 0),
    overheadVsBaseline: summarize(attributed.map((turn) => turn.ms - fakeOf(turn) - baselineMs), 0),
    turnsPerSecond: ok.length / run.seconds,
    unattributed: ok.length - attributed.length,
  };
}

/** The columns both runs' tables share, from `to done p50 ms` to `duplicated events`. */
const perTurnColumns = ['to done p50 ms', 'to done p99 ms', 'fake p50 ms', 'tool p50 ms', 'overhead p50 ms', 'overhead p99 ms', 'vs baseline p50 ms', 'vs baseline p99 ms', 'failed', 'lost events', 'duplicated events'];
const perTurnCells = (f: Figures) => [
  ms(f.toDone.p50),
  ms(f.toDone.p99),
  ms(f.fake.p50),
  ms(f.tool.p50),
  ms(f.overhead.p50),
  ms(f.overhead.p99),
  ms(f.overheadVsBaseline.p50),
  ms(f.overheadVsBaseline.p99),
  String(f.failed.length),
  String(f.lost),
  String(f.duplicated),
];

const thinkLabel = () => `think time ${settings.thinkMs} ms ±50%`;

function printResults(tool: Latencies, all: LevelFigures[]): void {
  console.log('');
  console.log(
    `Baseline, the tool's own time: data server query (dist/servers/data/main.js, the same file and the same kind of SQL) through the MCP SDK's stdio client in this process, ` +
      `${tool.count} calls one at a time: p50 ${ms(tool.p50, 2)} ms, p99 ${ms(tool.p99, 2)} ms, mean ${ms(tool.mean, 2)} ms${tool.errors ? `, ${tool.errors} errors (${tool.firstError})` : ''}. ` +
      "Its p50 is taken off every turn in the 'vs baseline' columns; the overhead columns take off each turn's own tool time (as the broker timed its call to the data server).",
  );
  console.log('');
  console.log('Closed loop: each conversation posts its next turn as soon as the last one is done (throughput; from 16 on, the cores are saturated):');
  printMarkdownTable(
    ['concurrent conversations', 'turns', 'turns/s', ...perTurnColumns, 'tool alone calls/s', 'tool alone p50 ms'],
    all.map(({ level, closed: f }) => [
      String(level.concurrency),
      String(f.run.turns.length),
      ms(f.turnsPerSecond),
      ...perTurnCells(f),
      ms(level.toolAlone.callsPerSecond, 0),
      ms(level.toolAlone.p50),
    ]),
  );
  console.log(
    "The last two columns are the tool alone (this process straight to the data server) with as many calls in flight as the level has conversations: what the machine's cores allow the tool's part of a turn at that concurrency, with nothing of the platform.",
  );
  console.log('');
  console.log(`Paced: the same kind of conversations, each waiting a think time before its next turn (${thinkLabel()}), as people in a chat do (latency when not saturated):`);
  printMarkdownTable(
    ['concurrent conversations', 'turns', 'offered turns/s', ...perTurnColumns, 'machine busy %'],
    all.map(({ level, paced: f }) => [
      String(level.concurrency),
      String(f.run.turns.length),
      ms(f.run.turns.length / f.run.seconds),
      ...perTurnCells(f),
      ms(f.run.cpu.machine, 0),
    ]),
  );
  console.log('');
  console.log('CPU per measured turn, in ms (the bench process holds the fake model and the clients):');
  printMarkdownTable(
    ['concurrent conversations', 'run', 'gateway', 'conversations', 'broker', 'data server', 'bench', 'machine busy %'],
    all.flatMap(({ closed, paced }) =>
      [closed.run, paced.run].map(({ concurrency, pacing, cpu }) => [String(concurrency), pacing, ms(cpu.gateway, 2), ms(cpu.conversations, 2), ms(cpu.broker, 2), ms(cpu.dataServer, 2), ms(cpu.bench, 2), ms(cpu.machine, 0)]),
    ),
  );
  console.log('');
  for (const { level, closed, paced } of all) {
    for (const f of [closed, paced]) {
      const notes = [
        `${f.run.conversations} conversations of ${settings.turnsPerConversation} measured turns at most, ${f.run.turns.length} turns in ${f.run.seconds.toFixed(1)} s`,
        `overhead p95 ${ms(f.overhead.p95)} ms, mean ${ms(f.overhead.mean)} ms`,
      ];
      if (f === closed) notes.push(`with the tool alone's p50 at this concurrency taken off instead, overhead p50 ${ms(f.toDone.p50 - f.fake.p50 - level.toolAlone.p50)} ms`);
      notes.push(`${f.cached} tool results from the cache`);
      if (f.unattributed) notes.push(`${f.unattributed} turns without exactly two model requests or a tool time (left out of the overhead)`);
      if (f.problems) notes.push(`${f.problems} turns with other problems`);
      console.log(`  ${level.concurrency} at once, ${f.run.pacing}: ${notes.join('; ')}`);
      const wrong = f.run.turns.find((turn) => turn.failure || turn.problems.length);
      if (wrong) console.log(`    first problem (turn ${wrong.n}): ${[wrong.failure, ...wrong.problems].filter(Boolean).join('; ')}`);
    }
  }
  const sqls = all.flatMap(({ closed, paced }) => [closed, paced].flatMap((f) => f.run.turns.map((turn) => turn.sql).filter((sql) => sql !== undefined)));
  console.log(`  The measured turns' SQL: ${new Set(sqls).size} distinct statements over ${sqls.length} turns.`);
}

interface Floors {
  sdk: SdkAlone;
  wake: WakeLatency;
}

function printFloors(floors: Floors): void {
  const { sdk, wake } = floors;
  console.log('');
  console.log(
    `Floors, measured once before the platforms ran: the AI SDK alone (the gateway's model client, in a process of its own, against a fake model of its own) made ${sdk.turns} of the bench's turns ` +
      `one at a time: p50 ${ms(sdk.p50Ms, 2)} ms, p99 ${ms(sdk.p99Ms, 2)} ms, ${ms(sdk.cpuMsPerTurn, 2)} ms of CPU per turn. ` +
      `A round trip between two processes on this machine (loopback, a small write echoed): p50 ${ms(wake.idle.p50 * 1_000, 0)} µs when both were idle before it, as a turn's hops find them ` +
      `(p99 ${ms(wake.idle.p99 * 1_000, 0)} µs); ${ms(wake.busy.p50 * 1_000, 0)} µs back to back.`,
  );
}

/**
 * What the closed loop at the target's concurrency would need: a saturated closed loop's time to
 * done is conversations ÷ turns per second, so meeting the overhead target at the tool and model
 * times it measured means at least so many turns per second, which leaves the machine's cores
 * at most so much CPU per turn, for everything the turn runs.
 */
function printClosedLoopBudget(f: Figures, sdk: SdkAlone): void {
  const cores = availableParallelism();
  const doneWithinMs = targets.p50Ms + f.fake.p50 + f.tool.p50;
  const turnsPerSecond = (1_000 * targets.concurrency) / doneWithinMs;
  const cpuBudgetMs = (1_000 * cores) / turnsPerSecond;
  const { cpu } = f.run;
  const platformMs = [cpu.gateway, cpu.conversations, cpu.broker].filter(Number.isFinite).reduce((sum, x) => sum + x, 0);
  console.log(
    `  closed loop, what the target needs: done within ${ms(doneWithinMs)} ms p50 at this tool and model time, so ${ms(turnsPerSecond, 0)} turns/s with ${targets.concurrency} in flight ` +
      `(this run: ${ms(f.turnsPerSecond, 0)}), which leaves at most ${ms(cpuBudgetMs)} ms of CPU per turn on these ${cores} cores for everything. ` +
      `Measured per turn: the data server ${ms(cpu.dataServer)} ms, the AI SDK alone ${ms(sdk.cpuMsPerTurn)} ms, the platform's processes ${ms(platformMs)} ms (the AI SDK's part included), the bench ${ms(cpu.bench)} ms.`,
  );
}

function printVerdict(all: LevelFigures[], floors: Floors): void {
  const at = all.find((f) => f.level.concurrency === targets.concurrency);
  console.log('');
  console.log(`Target (from the requirement), at ${targets.concurrency} concurrent conversations, judged on each run:`);
  if (!at) {
    console.log(`  n/a: this run had no level of ${targets.concurrency}`);
    return;
  }
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const runs: [string, Figures][] = [
    [`paced run at ${targets.concurrency} (${thinkLabel()}; the latency target)`, at.paced],
    [`closed-loop run at ${targets.concurrency} (back to back; the cores saturated)`, at.closed],
  ];
  const width = Math.max(...runs.map(([label]) => label.length));
  for (const [label, f] of runs) {
    console.log(`  ${label.padEnd(width)}  overhead p50 ≤ ${targets.p50Ms} ms: ${ms(f.overhead.p50)} ms  ${verdict(f.overhead.p50 <= targets.p50Ms)}`);
    console.log(`  ${label.padEnd(width)}  overhead p99 ≤ ${targets.p99Ms} ms: ${ms(f.overhead.p99)} ms  ${verdict(f.overhead.p99 <= targets.p99Ms)}`);
    console.log(`  ${' '.repeat(width)}  (with the baseline's p50 taken off instead: p50 ${ms(f.overheadVsBaseline.p50)} ms, p99 ${ms(f.overheadVsBaseline.p99)} ms)`);
  }
  const every = all.flatMap(({ closed, paced }) => [closed, paced]);
  const clean = every.every((f) => f.lost === 0 && f.duplicated === 0 && f.failed.length === 0 && f.problems === 0);
  const sum = (count: (f: Figures) => number) => every.reduce((total, f) => total + count(f), 0);
  const totals = `${sum((f) => f.lost)} lost, ${sum((f) => f.duplicated)} duplicated; ${sum((f) => f.failed.length)} failed turns, ${sum((f) => f.problems)} with other problems`;
  console.log(`  no lost or duplicated events (every level, both runs): ${totals}  ${verdict(clean)}`);
  printClosedLoopBudget(at.closed, floors.sdk);
}

// ---------------------------------------------------------------------------------------------
// Main.

/** What one topology's run holds while it runs, for the stop. */
interface Session {
  platform?: BenchPlatform;
  fake?: FakeOpenAI;
  setup?: Setup;
  direct?: DirectTool;
}

async function stopSession(session: Session): Promise<void> {
  await session.direct?.close().catch(() => undefined);
  session.setup?.http.close();
  session.setup?.events.destroy();
  await session.platform?.stop().catch((error: unknown) => console.error(`  Could not stop the platform: ${error instanceof Error ? error.message : error}`));
  await session.fake?.stop();
}

const topologyLabel: Record<Topology, string> = {
  distributed: 'distributed, as production runs it: gateway, conversations and MCP broker, each its own process, over Redis',
  standalone: 'standalone, as `npm start` runs it: one process, its apps linked in it (no Redis)',
};

/** One topology: its platform, a warm-up, the baseline, then every level. */
async function benchTopology(topology: Topology, scratch: string, session: Session, cleanup: Cleanup): Promise<{ tool: Latencies; results: LevelFigures[] }> {
  console.log(`\n${topologyLabel[topology]}.`);
  process.stdout.write('  Starting the platform…');
  const begin = performance.now();
  const fake = (session.fake = await FakeOpenAI.start());
  script(fake);
  const folderOfRun = join(scratch, topology);
  const usersRoot = join(folderOfRun, 'users');
  const mcpConfigFile = join(folderOfRun, 'mcp-servers.json');
  mkdirSync(folderOfRun, { recursive: true });
  writeFileSync(mcpConfigFile, mcpConfig());
  const platform = (session.platform = new BenchPlatform(
    {
      MCP_CONFIG: mcpConfigFile,
      USER_DATA_ROOT: usersRoot,
      DATA_DIR: join(folderOfRun, 'data'),
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_MODEL: 'fake-model',
      OPENAI_API_KEY: 'sk-bench',
      LOG_LEVEL: settings.logLevel,
      // Long enough for the whole run: the bench signs in once.
      ACCESS_TOKEN_TTL_SECONDS: '86400',
    },
    topology,
  ));
  await platform.start();
  const gatewayUrl = new URL(platform.gatewayUrl);
  const sockets = 2 * Math.max(...settings.levels) + 8;
  const setup: Setup = (session.setup = {
    fake,
    http: new LightHttpClient(platform.gatewayUrl, sockets),
    events: new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets }),
    auth: platform.signedIn,
    host: { hostname: gatewayUrl.hostname, port: gatewayUrl.port },
  });
  const me = await api<{ id: string }>(setup, 'GET', '/api/v1/auth/me');
  const folder = join(usersRoot, me.json.id);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'sales.csv'), salesCsv(settings.csvRows));
  console.log(` ready in ${((performance.now() - begin) / 1_000).toFixed(1)} s.`);

  process.stdout.write(`  Warm-up: ${settings.warmupConversations} conversations of ${settings.warmupTurns} turns at once…`);
  const warmup = await inParallel(settings.warmupConversations, settings.warmupConversations, async () => {
    const id = await newConversation(setup);
    const turns: TurnResult[] = [];
    for (let turn = 0; turn < settings.warmupTurns; turn++) turns.push(await runTurn(setup, id));
    return turns;
  });
  const warmupFailure = warmup.flat().find((turn) => turn.failure || turn.problems.length);
  if (warmupFailure) throw new Error(`a warm-up turn failed: ${[warmupFailure.failure, ...warmupFailure.problems].filter(Boolean).join('; ')}`);
  fake.requests.splice(0);
  console.log(' done');

  process.stdout.write(`  Baseline: ${settings.toolCalls} queries straight to the data server…`);
  const direct = (session.direct = await DirectTool.open(folder));
  const tool = await direct.sequential();
  console.log(' done');

  // Standalone, the gateway's process is every app's: its CPU is reported as the gateway's.
  const pids: Processes = {
    gateway: platform.gateway.pid,
    conversations: platform.app('conversations')?.pid,
    broker: platform.app('mcp-broker')?.pid,
    dataServer: descendantRunning((platform.app('mcp-broker') ?? platform.gateway).pid, 'servers/data/main.js'),
  };
  const results: LevelFigures[] = [];
  for (const concurrency of settings.levels) {
    if (cleanup.stopping) break;
    const level = await runLevel(setup, pids, direct, concurrency);
    results.push({ level, closed: figuresOf(level.closed, tool.p50), paced: figuresOf(level.paced, tool.p50) });
  }
  return { tool, results };
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-turns-'));
  let session: Session = {};
  const cleanup = cleanupOnEnd({
    stop: () => stopSession(session),
    watchdogMs: settings.watchdogMs,
    onSignal: 'stopping every process the bench started',
    killLeftovers: true,
    scratch,
  });

  console.log('Turns bench: what the platform adds to a chat turn, against a fake OpenAI-compatible model that answers at once.');
  console.log(`  Node ${process.version} · ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'})`);
  console.log(`  Load average before the run: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (1, 5, 15 min); other work on the machine skews the figures.`);
  console.log(`  Topologies, one after the other, each on a database of its own on the tests' Postgres: ${settings.topologies.join(', ')}; LOG_LEVEL ${settings.logLevel}.`);
  console.log(
    `  A turn: POST the question → the model asks for data__query (GROUP BY over sales.csv, ${settings.csvRows.toLocaleString('en-US')} rows, in the user's data folder) → ` +
      `the broker's data server runs it → the model answers in ${answer.chunks} text chunks → done. Every stream is checked (ids increasing, each event once, start…done, the whole answer).`,
  );
  console.log("  Every turn's SQL differs (WHERE id <> -<the turn's number>: true of every row, so each query does the same work), so the broker's analysis cache never answers it.");
  console.log(
    "  Overhead = time from the POST to `done` on the turn's stream − the fake model's time for the turn's two requests (arrival to the end of each response) − the turn's tool time " +
      "(the broker's call to the data server, timed in the broker: `serverMs` of the turn's tool-result). 'vs baseline': the baseline's p50 (the same query from this process straight to the data server) taken off instead.",
  );
  console.log(
    `  Per level, two runs of N conversations at once, each conversation first answered once (its first turn also titles it; not measured), then ${settings.turnsPerConversation} measured turns. ` +
      `Closed loop: each posts its next turn as soon as the last is done, with more conversations per worker until the run has at least ${settings.minTurns} turns. ` +
      `Paced: each waits a think time before its next turn (${thinkLabel()}), ${settings.pacedTurns} turns per worker, in conversations of its own.`,
  );

  const outcomes: { topology: Topology; tool: Latencies; results: LevelFigures[] }[] = [];
  let floors: Floors | undefined;
  let failure: unknown;
  try {
    process.stdout.write(`\nFloors: the AI SDK alone (${settings.sdkTurns} turns) and a round trip between two processes…`);
    floors = { sdk: await sdkAlone(), wake: await wakeLatency() };
    console.log(' done');
    for (const topology of settings.topologies) {
      if (cleanup.stopping) break;
      session = {};
      try {
        outcomes.push({ topology, ...(await benchTopology(topology, scratch, session, cleanup)) });
      } finally {
        await stopSession(session);
        session = {};
      }
    }
  } catch (error) {
    failure = error;
  } finally {
    await cleanup.stopAll();
  }

  if (floors) printFloors(floors);
  for (const { topology, tool, results } of outcomes) {
    if (!results.length) continue;
    console.log(`\n## ${topologyLabel[topology]}`);
    printResults(tool, results);
    printVerdict(results, floors!);
  }
  if (failure) {
    console.error('\nThe bench failed:', failure instanceof Error ? failure.message : failure);
    process.exitCode = 1;
  }
}

runBench(main);
