import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import { ContextClient } from '../context.client.js';
import type { ReplyEnvelope, RequestEnvelope } from '../envelope.js';
import { countLiveConsumers, heartbeatMs } from './presence.js';
import { redisKeys, type RedisStreamsOptions } from './redis-keys.js';

/** Cap on a request stream's length, so that a service that never comes back cannot fill Redis. */
const maxStreamLength = 100_000;

/**
 * Sends requests to a service's stream and takes replies on a channel of its own. It watches
 * whether any replica of the service is alive, so that a request to a stopped service fails at
 * once with service_unavailable instead of waiting for its deadline.
 */
export class RedisStreamsClient extends ContextClient {
  protected readonly replyAddress: string;
  private readonly stream: string;
  private readonly presenceKey: string;
  private writer?: Redis;
  private subscriber?: Redis;
  private connecting?: Promise<void>;
  private presenceTimer?: NodeJS.Timeout;
  /** Live replicas at the last look; unknown (assumed alive) until the first. */
  private liveConsumers = Number.POSITIVE_INFINITY;

  constructor(private readonly options: RedisStreamsOptions) {
    super(options.service);
    this.replyAddress = redisKeys.replies(options.keyPrefix, randomUUID());
    this.stream = redisKeys.requests(options.keyPrefix, options.service);
    this.presenceKey = redisKeys.presence(options.keyPrefix, options.service);
  }

  connect(): Promise<void> {
    this.connecting ??= this.open().catch((error: unknown) => {
      this.connecting = undefined;
      this.disconnect();
      throw AppError.unavailable(this.service, `cannot reach Redis (${String(error)})`);
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    clearInterval(this.presenceTimer);
    this.connecting = undefined;
    await Promise.all([this.writer?.quit(), this.subscriber?.quit()].map((p) => p?.catch(() => undefined)));
    this.writer = this.subscriber = undefined;
  }

  override async explainTimeout(timeoutMs: number): Promise<AppError> {
    await this.refreshPresence();
    return this.liveConsumers === 0
      ? AppError.unavailable(this.service, 'no instance is running')
      : AppError.timeout(this.service, timeoutMs);
  }

  protected cancel(id: string): void {
    this.writer?.publish(redisKeys.cancellations(this.options.keyPrefix, this.service), id).catch(() => undefined);
  }

  protected async deliver(envelope: RequestEnvelope): Promise<void> {
    if (this.writer?.status !== 'ready') throw AppError.unavailable(this.service, 'Redis is not connected');
    if (envelope.replyTo && this.liveConsumers === 0) {
      // The last look found none; look again before refusing, so a replica that just started is used.
      await this.refreshPresence();
      if (this.liveConsumers === 0) throw AppError.unavailable(this.service, 'no instance is running');
    }
    await this.writer.xadd(this.stream, 'MAXLEN', '~', maxStreamLength, '*', 'm', JSON.stringify(envelope));
  }

  private async open(): Promise<void> {
    const name = this.replyAddress.split(':').pop();
    this.writer = new Redis(this.options.url, { lazyConnect: true, enableAutoPipelining: true, connectionName: `client-${name}` });
    this.subscriber = new Redis(this.options.url, { lazyConnect: true, connectionName: `replies-${name}` });
    for (const connection of [this.writer, this.subscriber]) {
      connection.on('error', (error) => this.logger.warn({ err: error.message, service: this.service }, 'Redis connection error'));
    }
    this.subscriber.on('message', (_channel: string, message: string) => this.onReply(message));
    await Promise.all([this.writer.connect(), this.subscriber.connect()]);
    await this.subscriber.subscribe(this.replyAddress);
    await this.refreshPresence();
    this.presenceTimer = setInterval(() => void this.refreshPresence(), heartbeatMs).unref();
  }

  private disconnect(): void {
    clearInterval(this.presenceTimer);
    this.writer?.disconnect();
    this.subscriber?.disconnect();
    this.writer = this.subscriber = undefined;
  }

  private onReply(message: string): void {
    try {
      this.route(JSON.parse(message) as ReplyEnvelope);
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'dropped a reply that is not JSON');
    }
  }

  private async refreshPresence(): Promise<void> {
    if (this.writer?.status !== 'ready') return;
    try {
      this.liveConsumers = await countLiveConsumers(this.writer, this.presenceKey);
    } catch {
      // Keep the last answer; the next look may succeed.
    }
  }
}
