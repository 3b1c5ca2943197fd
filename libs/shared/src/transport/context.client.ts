import { Logger } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { currentRequestContext } from '../context/request-context.js';
import { ChurningMap } from '../collections/churning-map.js';
import { AppError, toWireError } from '../errors/app-error.js';
import type { ReplyEnvelope, RequestEnvelope } from './envelope.js';

/**
 * The client half shared by both topologies: it wraps each packet in an envelope that carries
 * the current request context, and routes replies back to their callers.
 */
export abstract class ContextClient extends ClientProxy {
  protected readonly logger = new Logger(this.constructor.name);
  /** The callers waiting for replies, by request id; it stands in for Nest's `routingMap`. */
  private readonly waiting = new ChurningMap<string, (packet: WritePacket) => void>();

  protected constructor(readonly service: string) {
    super();
  }

  /** Sends a request (with `replyTo`) or an event; throws an AppError when it cannot be sent. */
  protected abstract deliver(envelope: RequestEnvelope): Promise<void>;

  /** Where replies to this client's requests go. */
  protected abstract readonly replyAddress: string;

  /** Tells the service that nobody waits for this request any more, so that it can stop work on it. */
  protected abstract cancel(id: string): void;

  /** Called when a caller's deadline passed: says whether the service is slow or gone. */
  async explainTimeout(timeoutMs: number): Promise<AppError> {
    return AppError.timeout(this.service, timeoutMs);
  }

  unwrap<T>(): T {
    throw new Error(`${this.constructor.name} has no underlying client to unwrap`);
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const id = randomUUID();
    const envelope = this.envelope(packet, id, this.replyAddress);
    this.waiting.set(id, callback);
    this.deliver(envelope).catch((error: unknown) => {
      if (!this.waiting.delete(id)) return;
      callback({ err: this.asWire(error), isDisposed: true });
    });
    // The caller unsubscribed. If the last reply has not come yet, the service is still working on it.
    return () => {
      if (this.waiting.delete(id)) this.cancel(id);
    };
  }

  protected async dispatchEvent<T = undefined>(packet: ReadPacket): Promise<T> {
    await this.deliver(this.envelope(packet, randomUUID(), undefined));
    return undefined as T;
  }

  /** Hands one reply to the caller waiting for it; a reply nobody waits for any more is dropped. */
  protected route(reply: ReplyEnvelope): void {
    const callback = this.waiting.get(reply.id);
    if (!callback) return;
    if (reply.isDisposed) this.waiting.delete(reply.id);
    callback({ err: reply.err, response: reply.response, isDisposed: reply.isDisposed });
  }

  private envelope(packet: ReadPacket, id: string, replyTo: string | undefined): RequestEnvelope {
    const context = currentRequestContext() ?? { correlationId: randomUUID() };
    return { id, pattern: this.normalizePattern(packet.pattern), data: packet.data, replyTo, context };
  }

  private asWire(error: unknown) {
    return toWireError(error, (errorId, err) =>
      this.logger.error({ errorId, err, service: this.service }, 'could not send a request'),
    );
  }
}
