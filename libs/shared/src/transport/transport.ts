import { Redis } from 'ioredis';
import type { BaseEnv } from '../config/env.js';
import type { ServiceName } from '../contracts/service-name.js';
import type { ContextClient } from './context.client.js';
import type { ContextServer } from './context.server.js';
import { InProcessBus, InProcessClient, InProcessServer } from './in-process/in-process.transport.js';
import { RedisStreamsClient } from './redis-streams/redis-streams.client.js';
import { RedisStreamsServer } from './redis-streams/redis-streams.server.js';
import { InProcessTurnEventLog, RedisTurnEventLog, type TurnEventLog } from './turn-events.js';

/** How the apps of one deployment reach each other. Made once per process, from config. */
export interface Transport {
  readonly kind: 'redis-streams' | 'in-process';
  createServer(service: ServiceName): ContextServer;
  createClient(service: ServiceName): ContextClient;
  /** The log of chat turns' events, which every gateway replica can read. */
  createTurnEventLog(): TurnEventLog;
  /** Resolves when the transport itself can carry messages; rejects with the reason otherwise. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export class RedisStreamsTransport implements Transport {
  readonly kind = 'redis-streams';
  private probe?: Redis;

  constructor(private readonly url: string, private readonly keyPrefix: string) {}

  createServer(service: ServiceName): ContextServer {
    return new RedisStreamsServer({ url: this.url, keyPrefix: this.keyPrefix, service });
  }

  createClient(service: ServiceName): ContextClient {
    return new RedisStreamsClient({ url: this.url, keyPrefix: this.keyPrefix, service });
  }

  createTurnEventLog(): TurnEventLog {
    return new RedisTurnEventLog(this.url, this.keyPrefix);
  }

  async check(): Promise<void> {
    this.probe ??= new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectionName: 'health' });
    this.probe.on('error', () => undefined);
    if (this.probe.status === 'wait') await this.probe.connect();
    if (this.probe.status !== 'ready') throw new Error(`Redis connection is ${this.probe.status}`);
    await this.probe.ping();
  }

  async close(): Promise<void> {
    this.probe?.disconnect();
  }
}

export class InProcessTransport implements Transport {
  readonly kind = 'in-process';
  private readonly bus = new InProcessBus();
  private readonly turnEvents = new InProcessTurnEventLog();

  createServer(service: ServiceName): ContextServer {
    return new InProcessServer(this.bus, service);
  }

  createClient(service: ServiceName): ContextClient {
    return new InProcessClient(this.bus, service);
  }

  createTurnEventLog(): TurnEventLog {
    return this.turnEvents;
  }

  async check(): Promise<void> {}

  async close(): Promise<void> {}
}

/** Redis Streams when REDIS_URL is set; otherwise the apps must share this process. */
export function createTransport(config: Pick<BaseEnv, 'REDIS_URL' | 'REDIS_KEY_PREFIX'>): Transport {
  return config.REDIS_URL ? new RedisStreamsTransport(config.REDIS_URL, config.REDIS_KEY_PREFIX) : new InProcessTransport();
}
