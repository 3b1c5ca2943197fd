import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppError,
  createValidationPipe,
  currentRequestContext,
  EnvelopeContext,
  ErrorCode,
  InProcessTransport,
  RedisStreamsTransport,
  rpc,
  RpcErrorFilter,
  runInRequestContext,
  ServiceClient,
  ServiceName,
  type Transport,
} from '@dataflow/shared';
import { deleteKeys, testRedisUrl, uniqueKeyPrefix } from '@dataflow/shared/testing';

const service = ServiceName.Conversations;
const TestContract = {
  echo: rpc<{ text: string }, { text: string; handledBy: string; correlationId?: string; deadline?: number }>(service, 'test.echo'),
  fail: rpc<{ code: ErrorCode }, never>(service, 'test.fail'),
  crash: rpc<object, never>(service, 'test.crash'),
  slow: rpc<{ ms: number }, { sleptMs: number }>(service, 'test.slow'),
};

/** Every handler records what it ran, so tests can count executions per replica. */
function handlerModule(replica: string, executed: string[]) {
  @Controller()
  class TestHandler {
    @MessagePattern(TestContract.echo.pattern)
    echo(@Payload() request: { text: string }, @Ctx() context: EnvelopeContext) {
      executed.push(`${replica}:${request.text}`);
      const { correlationId, deadline } = currentRequestContext() ?? {};
      return { text: request.text, handledBy: replica, correlationId, deadline: deadline ?? context.envelope.context.deadline };
    }

    @MessagePattern(TestContract.fail.pattern)
    fail(@Payload() request: { code: ErrorCode }) {
      throw new AppError(request.code, `failed with ${request.code}`, { hint: 'details survive the trip' });
    }

    @MessagePattern(TestContract.crash.pattern)
    crash() {
      throw new Error('secret internals must not reach the caller');
    }

    @MessagePattern(TestContract.slow.pattern)
    async slow(@Payload() request: { ms: number }) {
      executed.push(`${replica}:slow`);
      await sleep(request.ms);
      return { sleptMs: request.ms };
    }
  }
  @Module({ controllers: [TestHandler] })
  class TestModule {}
  return TestModule;
}

async function startReplica(transport: Transport, replica: string, executed: string[]): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(handlerModule(replica, executed), { strategy: transport.createServer(service), logger: false });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new RpcErrorFilter());
  await app.listen();
  return app;
}

describe.each([
  ['Redis Streams', () => new RedisStreamsTransport(testRedisUrl(), uniqueKeyPrefix())],
  ['in-process', () => new InProcessTransport()],
])('the %s transport', (_name, makeTransport) => {
  let transport: Transport;
  let client: ServiceClient;
  const apps: INestMicroservice[] = [];
  const executed: string[] = [];

  beforeEach(() => {
    transport = makeTransport();
    client = new ServiceClient(service, transport.createClient(service), 2_000);
    executed.length = 0;
  });

  afterEach(async () => {
    await client.onApplicationShutdown();
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await transport.close();
    if (transport instanceof RedisStreamsTransport) await deleteKeys((transport as unknown as { keyPrefix: string }).keyPrefix);
  });

  it('answers a request and carries the correlation id and deadline to the handler', async () => {
    apps.push(await startReplica(transport, 'a', executed));
    const before = Date.now();
    const reply = await runInRequestContext({ correlationId: 'corr-123' }, () => client.send(TestContract.echo, { text: 'hi' }));
    expect(reply).toMatchObject({ text: 'hi', handledBy: 'a', correlationId: 'corr-123' });
    expect(reply.deadline).toBeGreaterThanOrEqual(before + 2_000);
    expect(reply.deadline).toBeLessThanOrEqual(Date.now() + 2_000);
  });

  it('gives the caller the typed error a handler threw, with its details', async () => {
    apps.push(await startReplica(transport, 'a', executed));
    const error = await client.send(TestContract.fail, { code: ErrorCode.NotFound }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: ErrorCode.NotFound, message: 'failed with not_found', details: { hint: 'details survive the trip' } });
  });

  it('turns an unexpected error into an internal error with an id, hiding its message', async () => {
    apps.push(await startReplica(transport, 'a', executed));
    const error = (await client.send(TestContract.crash, {}).catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe(ErrorCode.Internal);
    expect(error.errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.message).not.toContain('secret');
  });

  it('fails with a timeout at the deadline when the handler is too slow', async () => {
    apps.push(await startReplica(transport, 'a', executed));
    const started = Date.now();
    const error = (await client.send(TestContract.slow, { ms: 800 }, { timeoutMs: 300 }).catch((e: unknown) => e)) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe(ErrorCode.Timeout);
    expect(Date.now() - started).toBeLessThan(700);
  });

  it('fails at once with service_unavailable when no replica runs', async () => {
    const started = Date.now();
    const error = (await client.send(TestContract.echo, { text: 'anyone?' }).catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe(ErrorCode.ServiceUnavailable);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('the Redis Streams transport with several replicas', () => {
  const keyPrefix = uniqueKeyPrefix();
  const transport = new RedisStreamsTransport(testRedisUrl(), keyPrefix);
  const apps: INestMicroservice[] = [];
  const executed: string[] = [];
  let client: ServiceClient;

  beforeAll(async () => {
    apps.push(await startReplica(transport, 'a', executed), await startReplica(transport, 'b', executed));
    client = new ServiceClient(service, transport.createClient(service), 5_000);
  });

  afterAll(async () => {
    await client.onApplicationShutdown();
    await Promise.all(apps.map((app) => app.close()));
    await transport.close();
    await deleteKeys(keyPrefix);
  });

  it('hands each of 300 concurrent requests to exactly one replica, and uses both', async () => {
    const texts = Array.from({ length: 300 }, (_, i) => `m${i}`);
    const replies = await Promise.all(texts.map((text) => client.send(TestContract.echo, { text })));
    expect(replies.map((r) => r.text)).toEqual(texts);
    expect(executed).toHaveLength(300);
    const handled = new Set(executed.map((entry) => entry.split(':')[1]));
    expect(handled.size).toBe(300);
    const byReplica = (replica: string) => executed.filter((entry) => entry.startsWith(`${replica}:`)).length;
    expect(byReplica('a')).toBeGreaterThan(0);
    expect(byReplica('b')).toBeGreaterThan(0);
  });
});

describe('the Redis Streams transport while no replica runs', () => {
  const keyPrefix = uniqueKeyPrefix();
  const transport = new RedisStreamsTransport(testRedisUrl(), keyPrefix);
  const executed: string[] = [];

  afterAll(async () => {
    await transport.close();
    await deleteKeys(keyPrefix);
  });

  it('never runs a request whose caller gave up, even when a replica starts later', async () => {
    // A replica announces itself and then dies without a goodbye, so the client still believes
    // one is alive and queues the request, which times out.
    const first = await startReplica(transport, 'gone', executed);
    const server = (first as unknown as { serverInstance: { reader?: { disconnect(): void }; running: boolean; timers: NodeJS.Timeout[] } }).serverInstance;
    server.running = false;
    server.timers.forEach(clearInterval);
    server.reader?.disconnect();
    await sleep(100);

    const client = new ServiceClient(service, transport.createClient(service), 300);
    const error = (await client.send(TestContract.echo, { text: 'late' }).catch((e: unknown) => e)) as AppError;
    expect([ErrorCode.Timeout, ErrorCode.ServiceUnavailable]).toContain(error.code);

    const replacement = await startReplica(transport, 'new', executed);
    await sleep(500);
    expect(executed).toEqual([]);
    await client.onApplicationShutdown();
    await replacement.close();
    await first.close();
  });
});
