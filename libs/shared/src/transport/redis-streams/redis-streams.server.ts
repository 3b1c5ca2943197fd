import { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../errors/app-error.js';
import { ContextServer } from '../context.server.js';
import type { ReplyBody, RequestEnvelope } from '../envelope.js';
import { announcePresence, heartbeatMs, withdrawPresence } from './presence.js';
import { redisKeys, type RedisStreamsOptions } from './redis-keys.js';

export interface RedisStreamsServerOptions extends RedisStreamsOptions {
  /** How many messages one replica handles at once before it stops reading. */
  maxInFlight?: number;
  /** A pending message older than this belonged to a replica that died; its caller is told so. */
  abandonedAfterMs?: number;
  /** How long close() waits for the messages in hand to finish. */
  drainTimeoutMs?: number;
}

/**
 * A Nest transport strategy on a Redis Streams consumer group. Every replica of a service reads
 * the same stream as one group, so each request is delivered to exactly one replica, and
 * requests sent while no replica runs wait in the stream until their deadline.
 * Replies go back on the caller's own pub/sub channel.
 */
export class RedisStreamsServer extends ContextServer {
  readonly consumer = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly stream: string;
  private readonly presenceKey: string;
  private readonly maxInFlight: number;
  private readonly abandonedAfterMs: number;
  private readonly drainTimeoutMs: number;
  private reader?: Redis;
  private writer?: Redis;
  /** Listens for callers that gave up, so that the replica handling their request can stop. */
  private cancellations?: Redis;
  private running = false;
  private inFlight = 0;
  private wake?: () => void;
  private readonly timers: NodeJS.Timeout[] = [];
  private loop?: Promise<void>;

  constructor(private readonly options: RedisStreamsServerOptions) {
    super(options.service);
    this.stream = redisKeys.requests(options.keyPrefix, options.service);
    this.presenceKey = redisKeys.presence(options.keyPrefix, options.service);
    this.maxInFlight = options.maxInFlight ?? 256;
    this.abandonedAfterMs = options.abandonedAfterMs ?? 60_000;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      this.reader = new Redis(this.options.url, { lazyConnect: true, maxRetriesPerRequest: null, connectionName: `${this.consumer}:read` });
      this.writer = new Redis(this.options.url, { lazyConnect: true, enableAutoPipelining: true, connectionName: `${this.consumer}:write` });
      this.reader.on('error', (error) => this.logger.warn({ err: error.message }, 'Redis read connection error'));
      this.writer.on('error', (error) => this.logger.warn({ err: error.message }, 'Redis write connection error'));
      this.cancellations = new Redis(this.options.url, { lazyConnect: true, connectionName: `${this.consumer}:cancel` });
      this.cancellations.on('error', (error) => this.logger.warn({ err: error.message }, 'Redis cancellation connection error'));
      this.cancellations.on('message', (_channel: string, id: string) => this.cancel(id));
      await Promise.all([this.reader.connect(), this.writer.connect(), this.cancellations.connect()]);
      await this.cancellations.subscribe(redisKeys.cancellations(this.options.keyPrefix, this.service));
      await this.ensureGroup();
      await this.heartbeat();
      this.running = true;
      this.timers.push(setInterval(() => void this.heartbeat(), heartbeatMs).unref());
      this.timers.push(setInterval(() => void this.reclaimAbandoned(), Math.min(this.abandonedAfterMs, 30_000)).unref());
      this.loop = this.consume();
      this.logger.log({ service: this.service, consumer: this.consumer }, 'consuming requests');
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    if (!this.writer) return;
    this.running = false;
    this.timers.forEach(clearInterval);
    await withdrawPresence(this.writer, this.presenceKey, this.consumer).catch(() => undefined);
    this.reader?.disconnect();
    this.cancellations?.disconnect();
    this.wake?.();
    await this.loop;
    const deadline = Date.now() + this.drainTimeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) await sleep(20);
    await this.writer.quit().catch(() => undefined);
    this.writer = undefined;
  }

  private async ensureGroup(): Promise<void> {
    try {
      // From the start of the stream: requests sent before any replica ran are still served.
      await this.writer!.xgroup('CREATE', this.stream, this.service, '0', 'MKSTREAM');
    } catch (error) {
      if (!String(error).includes('BUSYGROUP')) throw error;
    }
  }

  private async heartbeat(): Promise<void> {
    try {
      await announcePresence(this.writer!, this.presenceKey, this.consumer);
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'could not announce presence');
    }
  }

  private async consume(): Promise<void> {
    while (this.running) {
      if (this.inFlight >= this.maxInFlight) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      let batches: [string, [string, string[]][]][] | null;
      try {
        batches = (await this.reader!.xreadgroup(
          'GROUP', this.service, this.consumer,
          'COUNT', Math.min(64, this.maxInFlight - this.inFlight),
          'BLOCK', 2_000,
          'STREAMS', this.stream, '>',
        )) as typeof batches;
      } catch (error) {
        if (!this.running) return;
        if (String(error).includes('NOGROUP')) await this.ensureGroup().catch(() => undefined);
        else this.logger.warn({ err: String(error) }, 'reading requests failed; retrying');
        await sleep(250);
        continue;
      }
      for (const [, entries] of batches ?? []) {
        for (const [entryId, fields] of entries) this.handle(entryId, fields);
      }
    }
  }

  private handle(entryId: string, fields: string[]): void {
    this.inFlight++;
    const envelope = this.parse(fields);
    const work = envelope
      ? this.dispatch(envelope, (body) => this.reply(envelope, body))
      : Promise.resolve(this.logger.warn({ entryId }, 'dropped a message that is not a request envelope'));
    work
      .catch((error: unknown) => this.logger.error({ err: error, entryId }, 'a request failed outside its handler'))
      .finally(() => this.finish(entryId));
  }

  private parse(fields: string[]): RequestEnvelope | undefined {
    try {
      const envelope = JSON.parse(fields[fields.indexOf('m') + 1] ?? '') as RequestEnvelope;
      return typeof envelope?.pattern === 'string' && typeof envelope.id === 'string' ? envelope : undefined;
    } catch {
      return undefined;
    }
  }

  private async reply(envelope: RequestEnvelope, body: ReplyBody): Promise<void> {
    if (envelope.replyTo) await this.writer!.publish(envelope.replyTo, JSON.stringify({ id: envelope.id, ...body }));
  }

  private finish(entryId: string): void {
    this.inFlight--;
    const writer = this.writer;
    if (writer) {
      writer.xack(this.stream, this.service, entryId).catch(() => undefined);
      writer.xdel(this.stream, entryId).catch(() => undefined);
    }
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /**
   * A message stays pending when the replica that read it died before finishing. Running it
   * again could run it twice, so its caller (if still waiting) gets a clear error instead.
   */
  private async reclaimAbandoned(): Promise<void> {
    const writer = this.writer;
    if (!writer || !this.running) return;
    try {
      const [, entries] = (await writer.xautoclaim(
        this.stream, this.service, this.consumer, this.abandonedAfterMs, '0-0', 'COUNT', 100,
      )) as [string, [string, string[]][]];
      for (const [entryId, fields] of entries) {
        const envelope = fields ? this.parse(fields) : undefined;
        const stillWaiting = envelope?.replyTo && (envelope.context.deadline ?? 0) > Date.now();
        if (envelope && stillWaiting) {
          const error = AppError.unavailable(this.service, 'the instance handling this request stopped');
          await this.reply(envelope, { err: error.toWire(), isDisposed: true });
        }
        await writer.xack(this.stream, this.service, entryId);
        await writer.xdel(this.stream, entryId);
      }
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'could not reclaim abandoned requests');
    }
  }
}
