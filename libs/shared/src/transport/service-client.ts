import { type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { catchError, defer, firstValueFrom, from, mergeMap, Observable, throwError, timeout, TimeoutError } from 'rxjs';
import { currentRequestContext, type RequestContext, runInRequestContext } from '../context/request-context.js';
import type { RpcContract } from '../contracts/rpc-contract.js';
import { AppError, isWireError } from '../errors/app-error.js';
import type { ContextClient } from './context.client.js';

export interface SendOptions {
  /** This call's deadline; by default the configured RPC_TIMEOUT_MS. */
  timeoutMs?: number;
}

export interface StreamOptions {
  /** The longest wait for the next event; each event restarts it. */
  idleTimeoutMs: number;
}

/**
 * The typed way to call another app. Every call has a deadline, and a nested call never outlives
 * the request that made it. Whatever goes wrong comes back as an AppError.
 */
export class ServiceClient implements OnApplicationShutdown {
  constructor(
    readonly service: string,
    private readonly proxy: ContextClient,
    private readonly defaultTimeoutMs: number,
  ) {}

  async send<Req, Res>(contract: RpcContract<Req, Res>, request: Req, options: SendOptions = {}): Promise<Res> {
    const parent = currentRequestContext();
    const ownDeadline = Date.now() + (options.timeoutMs ?? this.defaultTimeoutMs);
    const context: RequestContext = {
      correlationId: parent?.correlationId ?? randomUUID(),
      deadline: Math.min(ownDeadline, parent?.deadline ?? ownDeadline),
    };
    const waitMs = Math.max(0, context.deadline! - Date.now());
    try {
      return await runInRequestContext(context, () =>
        firstValueFrom(this.proxy.send<Res>(contract.pattern, request ?? {}).pipe(timeout({ first: waitMs })), {
          defaultValue: undefined as Res,
        }),
      );
    } catch (error) {
      throw await this.asAppError(error, waitMs);
    }
  }

  /**
   * A call whose handler answers with a stream of events (progress, then a result). The wait for
   * each event is `idleTimeoutMs`; unsubscribing tells the service to stop.
   */
  stream<Req, Res>(contract: RpcContract<Req, Res>, request: Req, options: StreamOptions): Observable<Res> {
    return defer(() => {
      const parent = currentRequestContext();
      const context: RequestContext = {
        correlationId: parent?.correlationId ?? randomUUID(),
        deadline: Date.now() + options.idleTimeoutMs,
      };
      const source = this.proxy.send<Res>(contract.pattern, request ?? {});
      return new Observable<Res>((subscriber) => runInRequestContext(context, () => source.subscribe(subscriber)));
    }).pipe(
      timeout({ each: options.idleTimeoutMs }),
      catchError((error: unknown) => from(this.asAppError(error, options.idleTimeoutMs)).pipe(mergeMap((e) => throwError(() => e)))),
    );
  }

  private async asAppError(error: unknown, waitMs: number): Promise<AppError> {
    if (error instanceof AppError) return error;
    if (isWireError(error)) return AppError.fromWire(error);
    if (error instanceof TimeoutError) return this.proxy.explainTimeout(waitMs);
    return AppError.unavailable(this.service, String(error));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.proxy.close();
  }
}
