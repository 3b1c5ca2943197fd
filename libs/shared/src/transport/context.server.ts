import { Logger } from '@nestjs/common';
import { BaseRpcContext, type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { performance } from 'node:perf_hooks';
import { ChurningMap } from '../collections/churning-map.js';
import { runInRequestContext } from '../context/request-context.js';
import { ErrorCode } from '../errors/error-code.js';
import type { ReplyBody, RequestEnvelope } from './envelope.js';

/** What a handler can learn about the message it is handling. */
export class EnvelopeContext extends BaseRpcContext<[RequestEnvelope, AbortSignal]> {
  get envelope(): RequestEnvelope {
    return this.getArgByIndex(0);
  }

  /** Aborted when the caller gives up on this request: it unsubscribed before the last reply. */
  get signal(): AbortSignal {
    return this.getArgByIndex(1);
  }
}

/**
 * The server half shared by both topologies: it runs each handler inside the caller's request
 * context (correlation id and deadline), drops requests whose caller has already given up, and
 * reports when a request is finished so the transport can acknowledge it.
 */
export abstract class ContextServer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(this.constructor.name);

  /** The requests being handled now, by envelope id, so that a caller can cancel one. */
  private readonly inProgress = new ChurningMap<string, AbortController>();

  protected constructor(readonly service: string) {
    super();
  }

  /** A caller gave up on a request; its handler sees the signal aborted. Unknown ids are ignored. */
  cancel(id: string): void {
    this.inProgress.get(id)?.abort(new Error('The caller cancelled the request'));
  }

  on(): never {
    throw new Error(`${this.constructor.name} has no events to listen to`);
  }

  unwrap<T>(): T {
    throw new Error(`${this.constructor.name} has no underlying client to unwrap`);
  }

  /** Handles one message; resolves once its last reply has been sent. */
  protected async dispatch(envelope: RequestEnvelope, reply: (body: ReplyBody) => Promise<unknown> | void): Promise<void> {
    const { pattern, context } = envelope;
    if (context.deadline !== undefined && context.deadline < Date.now()) {
      this.logger.warn({ pattern, correlationId: context.correlationId }, 'dropped a request whose caller gave up');
      return;
    }
    const started = performance.now();
    const abort = new AbortController();
    this.inProgress.set(envelope.id, abort);
    try {
      await runInRequestContext(context, async () => {
        const rpcContext = new EnvelopeContext([envelope, abort.signal]);
        if (envelope.replyTo === undefined) {
          await this.handleEvent(pattern, { pattern, data: envelope.data }, rpcContext);
        } else {
          await this.handleRequestEnvelope(envelope, rpcContext, reply);
        }
        this.logger.debug({ pattern, ms: +(performance.now() - started).toFixed(2) }, 'rpc handled');
      });
    } finally {
      this.inProgress.delete(envelope.id);
    }
  }

  private async handleRequestEnvelope(
    envelope: RequestEnvelope,
    rpcContext: EnvelopeContext,
    reply: (body: ReplyBody) => Promise<unknown> | void,
  ): Promise<void> {
    // Our patterns are plain strings: a direct lookup spares Nest's attempt to parse each as JSON.
    const handler = this.messageHandlers.get(envelope.pattern) ?? this.getHandlerByPattern(envelope.pattern);
    if (!handler) {
      const message = `The ${this.service} service has no handler for "${envelope.pattern}"`;
      await reply({ err: { code: ErrorCode.Internal, message }, isDisposed: true });
      return;
    }
    await new Promise<void>((resolve) => {
      const respond = async (body: ReplyBody) => {
        try {
          await reply(body);
        } finally {
          if (body.isDisposed) resolve();
        }
      };
      Promise.resolve()
        .then(() => handler(envelope.data, rpcContext))
        .then(
          (result) => this.send(this.transformToObservable(result), respond),
          (error: unknown) => respond({ err: error, isDisposed: true }),
        );
    });
  }
}
