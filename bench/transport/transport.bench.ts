/**
 * Round-trip latency and throughput of one request pattern over our Redis Streams transport,
 * beside Nest's stock TCP transport measured in the same run.
 *
 *   npm run bench:transport
 *
 * The client side runs in this process; each server runs in a child process (this same file,
 * started with `--serve redis|tcp`), as the apps do in production. Environment:
 *   REDIS_URL            Redis to use (default redis://127.0.0.1:6379); keys live under `bench-<pid>:`
 *                        and are deleted at the end.
 *   BENCH_SEQUENTIAL     sequential round trips per row (default 3000)
 *   BENCH_LOAD_REQUESTS  requests of the loaded phase (default 20000)
 *   BENCH_LOAD_SECONDS   time bound of the loaded phase (default 5)
 *   BENCH_IN_FLIGHT      requests in flight in the loaded phase (default 32)
 */
import 'reflect-metadata';
import { Controller, Module, type INestMicroservice, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, MessagePattern, Payload, Transport, type ClientProxy } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { firstValueFrom, timeout } from 'rxjs';
import { type Call, type Latencies, loaded, sequential, type Throughput } from '../lib/measure.js';
import { machineTicks, printMarkdownTable } from '../lib/report.js';
import {
  createValidationPipe,
  findFreePort,
  RedisStreamsClient,
  RedisStreamsServer,
  rpc,
  RpcErrorFilter,
  ServiceClient,
  ServiceName,
} from '@dataflow/shared';

// ---------------------------------------------------------------------------------------------
// The request pattern: a small DTO shaped like ConversationDto, which the handler builds without
// doing any other work (its payload type is an interface, so the validation pipe has nothing to check).

interface EchoRequest {
  id: number;
}

interface ConversationSummary {
  id: string;
  title: string;
  createdAt: string;
}

const service = ServiceName.Conversations;
const EchoContract = rpc<EchoRequest, ConversationSummary>(service, 'bench.echo');

@Controller()
class EchoHandler {
  @MessagePattern(EchoContract.pattern)
  echo(@Payload() request: EchoRequest): ConversationSummary {
    return { id: `c-${request.id}`, title: 'Quarterly revenue by region', createdAt: new Date().toISOString() };
  }
}

@Module({ controllers: [EchoHandler] })
class BenchModule {}

// ---------------------------------------------------------------------------------------------
// Settings.

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const settings = {
  /** Warm-up requests per round: this many sequential, then twice as many in flight. */
  warmup: 500,
  warmupMinMs: 2_000,
  sequential: positiveInt('BENCH_SEQUENTIAL', 3_000),
  sequentialMaxMs: 30_000,
  loadRequests: positiveInt('BENCH_LOAD_REQUESTS', 20_000),
  loadMaxMs: positiveInt('BENCH_LOAD_SECONDS', 5) * 1_000,
  inFlight: positiveInt('BENCH_IN_FLIGHT', 32),
  requestTimeoutMs: 5_000,
  serverStartMs: 20_000,
  /** The whole run, after which it gives up, kills its servers and deletes its keys. */
  watchdogMs: 5 * 60_000,
};

const targets = { p50Ms: 1, requestsPerSecond: 5_000, inFlight: 32 };
const serverLogLevels: LogLevel[] = ['error', 'warn'];

type Kind = 'redis' | 'tcp';
type ToServer = { type: 'cpu' };
type FromServer = { type: 'ready'; port?: number } | { type: 'cpu'; user: number; system: number };

// ---------------------------------------------------------------------------------------------
// Server side (child process).

async function serve(kind: Kind, redisUrl: string, keyPrefix: string): Promise<void> {
  let port: number | undefined;
  let app: INestMicroservice;
  if (kind === 'redis') {
    app = await NestFactory.createMicroservice(BenchModule, {
      strategy: new RedisStreamsServer({ url: redisUrl, keyPrefix, service }),
      logger: serverLogLevels,
    });
  } else {
    port = await findFreePort();
    app = await NestFactory.createMicroservice(BenchModule, {
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
      logger: serverLogLevels,
    });
  }
  // As every service does (see createServiceApp).
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new RpcErrorFilter());
  await app.listen();

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 5_000).unref();
    void app.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop); // the bench went away
  process.on('message', (message: ToServer) => {
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ type: 'cpu', user, system } satisfies FromServer);
    }
  });
  process.send?.({ type: 'ready', port } satisfies FromServer);
}

// ---------------------------------------------------------------------------------------------
// Client side.

interface ServerProcess {
  child: ChildProcess;
  port?: number;
}

const children = new Set<ChildProcess>();

function startServer(kind: Kind, redisUrl: string, keyPrefix: string): Promise<ServerProcess> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [...process.execArgv, self, '--serve', kind, redisUrl, keyPrefix], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${kind} server did not start within ${settings.serverStartMs} ms`)), settings.serverStartMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the ${kind} server exited before it was ready (code ${code}, signal ${signal})`));
    });
    child.on('message', (message: FromServer) => {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      resolve({ child, port: message.port });
    });
  });
}

async function stopServer(server: ServerProcess): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}

/** CPU seconds the server process has used so far. */
function serverCpuSeconds(server: ServerProcess): Promise<number> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(Number.NaN), 2_000);
    const onMessage = (message: FromServer) => {
      if (message.type !== 'cpu') return;
      clearTimeout(timer);
      server.child.off('message', onMessage);
      resolve((message.user + message.system) / 1e6);
    };
    server.child.on('message', onMessage);
    server.child.send({ type: 'cpu' } satisfies ToServer);
  });
}


function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  return infoField(info, 'used_cpu_user') + infoField(info, 'used_cpu_sys');
}

function infoText(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

function infoField(info: string, field: string): number {
  return Number(infoText(info, field) ?? Number.NaN);
}

/** Calls per command since Redis started, from INFO commandstats. */
async function commandCounts(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const counts = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts.set(match[1]!, Number(match[2]));
  return counts;
}

async function deleteKeys(redis: Redis, keyPrefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}:*`, 'COUNT', 500);
    if (keys.length) deleted += await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  return deleted;
}

// ---------------------------------------------------------------------------------------------
// Measuring.

type Send = (n: number) => Promise<ConversationSummary>;

interface Row {
  label: string;
  transport: Kind;
  sequential: Latencies;
  load: Throughput;
  cpu: { client: number; server: number; redis: number; machine: number };
  redisCommandsPerRequest?: Map<string, number>;
}

/** A call that fails when the reply is not the one for its request. */
function checked(send: Send): Call {
  return async (n) => {
    const reply = await send(n);
    if (reply?.id !== `c-${n}`) throw new Error(`wrong reply for request ${n}: ${JSON.stringify(reply)}`);
  };
}

/**
 * Warms up every way of sending over one transport before any of them is measured (a server
 * process just started runs slow for a while, which would count against the first row), for
 * at least warmupMinMs.
 */
async function warmUp(name: string, sends: Send[]): Promise<void> {
  process.stdout.write(`  ${name}: warming up…`);
  const until = performance.now() + settings.warmupMinMs;
  for (let round = 0; round < 10 && (round === 0 || performance.now() < until); round++) {
    for (const send of sends) {
      await sequential(checked(send), settings.warmup, 10_000);
      await loaded(checked(send), settings.warmup * 2, 10_000, settings.inFlight);
    }
  }
  process.stdout.write(' done\n');
}

async function measure(label: string, transport: Kind, send: Send, server: ServerProcess, redis: Redis): Promise<Row> {
  process.stdout.write(`  ${label}: sequential…`);
  const seq = await sequential(checked(send), settings.sequential, settings.sequentialMaxMs);
  process.stdout.write(` ${settings.inFlight} in flight…`);
  const [client0, server0, redis0, commands0] = [ownCpuSeconds(), await serverCpuSeconds(server), await redisCpuSeconds(redis), await commandCounts(redis)];
  const machine0 = machineTicks();
  const load = await loaded(checked(send), settings.loadRequests, settings.loadMaxMs, settings.inFlight);
  const machine1 = machineTicks();
  const [client1, server1, redis1, commands1] = [ownCpuSeconds(), await serverCpuSeconds(server), await redisCpuSeconds(redis), await commandCounts(redis)];
  process.stdout.write(' done\n');
  const share = (used: number) => (100 * used) / load.seconds;
  const row: Row = {
    label,
    transport,
    sequential: seq,
    load,
    cpu: {
      client: share(client1 - client0),
      server: share(server1 - server0),
      redis: share(redis1 - redis0),
      machine: machine0 && machine1 ? (100 * (machine1.busy - machine0.busy)) / (machine1.total - machine0.total) : Number.NaN,
    },
  };
  if (transport === 'redis') {
    const perRequest = new Map<string, number>();
    const handled = load.count + load.errors;
    for (const [command, calls] of commands1) {
      const delta = calls - (commands0.get(command) ?? 0);
      if (delta / handled >= 0.005 && command !== 'info') perRequest.set(command, delta / handled);
    }
    row.redisCommandsPerRequest = perRequest;
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// Report.

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : '—');

function printTable(rows: Row[]): void {
  const header = ['transport (client → server in a child process)', 'p50 ms', 'p99 ms', 'mean ms', `req/s @${settings.inFlight}`, `p50 @${settings.inFlight}`, `p99 @${settings.inFlight}`, `p50 < ${targets.p50Ms} ms`, `≥ ${targets.requestsPerSecond} req/s @${targets.inFlight}`];
  const lines = rows.map((row) => {
    const isTarget = row.transport === 'redis';
    const verdict = (ok: boolean) => (isTarget ? (ok ? 'PASS' : 'MISS') : 'baseline');
    return [
      row.label,
      ms(row.sequential.p50),
      ms(row.sequential.p99),
      ms(row.sequential.mean),
      Math.round(row.load.callsPerSecond).toLocaleString('en-US'),
      ms(row.load.p50),
      ms(row.load.p99),
      verdict(row.sequential.p50 < targets.p50Ms && row.sequential.errors === 0),
      settings.inFlight === targets.inFlight || !isTarget ? verdict(row.load.callsPerSecond >= targets.requestsPerSecond && row.load.errors === 0) : `n/a @${settings.inFlight}`,
    ];
  });
  printMarkdownTable(header, lines);
}

function printDetails(rows: Row[]): void {
  console.log('');
  for (const row of rows) {
    const { sequential: s, load: l, cpu } = row;
    // CPU time per request is steadier than req/s when something else runs on the machine.
    const perRequest = (share: number) => ((share / 100) * l.seconds * 1e6) / Math.max(1, l.count + l.errors);
    const cpuOf = (share: number) => `${share.toFixed(0)}% (${perRequest(share).toFixed(0)} µs/req)`;
    console.log(
      `${row.label}: ${s.count} sequential (${s.errors} errors); ${l.count} at ${settings.inFlight} in flight in ${l.seconds.toFixed(2)} s (${l.errors} errors)\n` +
        `    CPU while loaded, % of one core: client ${cpuOf(cpu.client)}, server ${cpuOf(cpu.server)}, redis-server ${cpuOf(cpu.redis)}; ` +
        `whole machine ${Number.isFinite(cpu.machine) ? cpu.machine.toFixed(0) : '?'}% busy (all ${availableParallelism()} cores)`,
    );
    if (row.redisCommandsPerRequest) {
      const commands = [...row.redisCommandsPerRequest].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n.toFixed(2)}`);
      console.log(`    Redis commands per request while loaded (whole server, INFO commandstats): ${commands.join(', ')}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Main.

async function main(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const keyPrefix = `bench-${process.pid}`;
  const admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectionName: `${keyPrefix}-admin` });
  admin.on('error', () => undefined);
  await admin.connect().catch((error: unknown) => {
    throw new Error(`cannot reach Redis at ${redisUrl} (${String(error)}); set REDIS_URL`);
  });

  const watchdog = setTimeout(() => {
    console.error(`\nThe bench did not finish within ${settings.watchdogMs / 1_000} s; stopping.`);
    killChildren();
    void deleteKeys(admin, keyPrefix).finally(() => process.exit(1));
  }, settings.watchdogMs);
  const interrupt = () => {
    console.error('\nInterrupted: stopping the servers and deleting the Redis keys.');
    killChildren();
    void deleteKeys(admin, keyPrefix).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const serverInfo = await admin.info('server');
  const cpuList = cpus();
  console.log('Transport bench: one request pattern (bench.echo → { id, title, createdAt }) over each transport.');
  console.log(`  Node ${process.version} · ${availableParallelism()} CPUs (${cpuList[0]?.model.trim() ?? 'unknown'}) · Redis ${infoText(serverInfo, 'redis_version') ?? '?'} at ${new URL(redisUrl).host}`);
  console.log(`  Load average before the run: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (1, 5, 15 min); other work on the machine skews the figures.`);
  console.log(`  Client in this process; each server in a child process of its own (${process.execPath.split(/[\\/]/).pop()} --serve …), as in production.`);
  console.log(
    `  Each transport is warmed up (≥ ${settings.warmupMinMs / 1_000} s, every client). Per row: ${settings.sequential} sequential round trips, ` +
      `then ${settings.loadRequests} requests or ${settings.loadMaxMs / 1_000} s (whichever first) at ${settings.inFlight} in flight. Redis keys under ${keyPrefix}:*`,
  );
  console.log('');

  const rows: Row[] = [];
  let failure: unknown;
  try {
    const tcpServer = await startServer('tcp', redisUrl, keyPrefix);
    const tcp: ClientProxy = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: tcpServer.port! } });
    await tcp.connect();
    const tcpSend: Send = (n) => firstValueFrom(tcp.send<ConversationSummary, EchoRequest>(EchoContract.pattern, { id: n }).pipe(timeout(settings.requestTimeoutMs)));
    await warmUp('Nest TCP', [tcpSend]);
    rows.push(await measure('Nest TCP (stock), ClientProxy.send', 'tcp', tcpSend, tcpServer, admin));
    await tcp.close();
    await stopServer(tcpServer);

    const redisServer = await startServer('redis', redisUrl, keyPrefix);
    const proxy = new RedisStreamsClient({ url: redisUrl, keyPrefix, service });
    await proxy.connect();
    const client = new ServiceClient(service, proxy, settings.requestTimeoutMs);
    const proxySend: Send = (n) => firstValueFrom(proxy.send<ConversationSummary, EchoRequest>(EchoContract.pattern, { id: n }).pipe(timeout(settings.requestTimeoutMs)));
    const clientSend: Send = (n) => client.send(EchoContract, { id: n });
    await warmUp('Redis Streams', [proxySend, clientSend]);
    rows.push(await measure('Redis Streams, ClientProxy.send', 'redis', proxySend, redisServer, admin));
    rows.push(await measure('Redis Streams, ServiceClient.send', 'redis', clientSend, redisServer, admin));
    await proxy.close();
    await stopServer(redisServer);
  } catch (error) {
    failure = error;
  } finally {
    killChildren();
    await Promise.all([...children].map((child) => once(child, 'exit')));
    const deleted = await deleteKeys(admin, keyPrefix).catch((error: unknown) => `none (${String(error)})`);
    console.log(`  Deleted ${deleted} Redis key(s) under ${keyPrefix}:*.`);
    admin.disconnect();
    clearTimeout(watchdog);
  }

  if (rows.length) {
    console.log('');
    printTable(rows);
    printDetails(rows);
    console.log('');
    console.log(`Targets (Redis rows): sequential p50 < ${targets.p50Ms} ms; ≥ ${targets.requestsPerSecond.toLocaleString('en-US')} req/s at ${targets.inFlight} in flight. The TCP row is the baseline.`);
  }
  if (failure) {
    console.error('\nThe bench failed:', failure);
    process.exitCode = 1;
  }
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) {
  const [kind, redisUrl, keyPrefix] = process.argv.slice(serveAt + 1) as [Kind, string, string];
  serve(kind, redisUrl, keyPrefix).catch((error: unknown) => {
    console.error(`the ${kind} bench server failed to start:`, error);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(),
    (error: unknown) => {
      console.error('The bench failed:', error instanceof Error ? error.message : error);
      killChildren();
      process.exit(1);
    },
  );
}
