import { randomUUID } from 'node:crypto';
import { RpcException } from '@nestjs/microservices';
import { ErrorCode, isErrorCode } from './error-code.js';

/** An error as it crosses the wire between apps. */
export interface WireError {
  code: ErrorCode;
  message: string;
  details?: unknown;
  /** Set on internal errors: the id under which the full error was logged. */
  errorId?: string;
}

/**
 * A domain error with a code from {@link ErrorCode}. Thrown in any app; a microservice sends it
 * to the caller as a {@link WireError}, and the gateway maps the code to an HTTP status.
 */
export class AppError extends RpcException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly errorId?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message };
    if (this.details !== undefined) wire.details = this.details;
    if (this.errorId !== undefined) wire.errorId = this.errorId;
    return wire;
  }

  static fromWire(wire: WireError): AppError {
    return new AppError(wire.code, wire.message, wire.details, wire.errorId);
  }

  static timeout(service: string, timeoutMs: number): AppError {
    return new AppError(ErrorCode.Timeout, `The ${service} service did not answer within ${timeoutMs} ms`, {
      service,
      timeoutMs,
    });
  }

  static unavailable(service: string, reason: string): AppError {
    return new AppError(ErrorCode.ServiceUnavailable, `The ${service} service is unavailable: ${reason}`, { service });
  }
}

export function isWireError(value: unknown): value is WireError {
  return (
    typeof value === 'object' &&
    value !== null &&
    isErrorCode((value as WireError).code) &&
    typeof (value as WireError).message === 'string'
  );
}

/**
 * Turns anything thrown into a {@link WireError}. Unexpected errors are reported through
 * `logUnexpected` with a fresh errorId, and the caller sees only that id, never the internals.
 */
export function toWireError(error: unknown, logUnexpected: (errorId: string, error: unknown) => void): WireError {
  if (error instanceof AppError) return error.toWire();
  if (isWireError(error)) return error;
  const errorId = randomUUID();
  logUnexpected(errorId, error);
  return { code: ErrorCode.Internal, message: 'An unexpected error occurred', errorId };
}
