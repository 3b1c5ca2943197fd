import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError, currentRequestContext, ErrorCode, toWireError } from '@dataflow/shared';
import { errorCodeForStatus, type ProblemDetails, problemFor } from './problem-details.js';

/** Every error the gateway answers with is problem+json; an unexpected one is a 500 with a logged errorId. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetailsFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const problem = this.toProblem(exception);
    problem.instance = request.originalUrl;
    if (problem.status >= 500 && !problem.errorId) problem.errorId = currentRequestContext()?.correlationId;
    sendProblem(response, problem);
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof HttpException) {
      const code = errorCodeForStatus(exception.getStatus());
      return { ...problemFor(code, exception.message), status: exception.getStatus() };
    }
    const wire = toWireError(exception, (errorId, error) => this.logger.error({ errorId, err: error }, 'unexpected error'));
    const extra: Partial<ProblemDetails> = {};
    if (wire.details !== undefined) extra.details = wire.details;
    if (wire.errorId !== undefined) extra.errorId = wire.errorId;
    if (exception instanceof AppError && wire.code === ErrorCode.Internal) extra.errorId ??= exception.errorId;
    return problemFor(wire.code, wire.message, extra);
  }
}

export function sendProblem(response: Response, problem: ProblemDetails): void {
  if (response.headersSent) return;
  const retryAfter = (problem.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (problem.status === 429 && typeof retryAfter === 'number') response.setHeader('Retry-After', String(retryAfter));
  response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}
