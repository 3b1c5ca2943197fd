import { ErrorCode } from '@dataflow/shared';

/** The end of an exhaustive `switch` over a union: the compiler flags a case left out. */
export function assertUnreachable(value: never): never {
  throw new Error(`Unhandled error code: ${String(value)}`);
}

/** The one mapping from error codes to HTTP. A timeout is 504, an unavailable service 503. */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.BadRequest:
    case ErrorCode.ValidationFailed:
      return 400;
    case ErrorCode.Unauthorized:
      return 401;
    case ErrorCode.Forbidden:
      return 403;
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.Conflict:
      return 409;
    case ErrorCode.PayloadTooLarge:
      return 413;
    case ErrorCode.UnsupportedMediaType:
      return 415;
    case ErrorCode.RateLimited:
      return 429;
    case ErrorCode.Internal:
      return 500;
    case ErrorCode.ServiceUnavailable:
    case ErrorCode.ServerUnavailable:
      return 503;
    case ErrorCode.Timeout:
      return 504;
    default:
      return assertUnreachable(code);
  }
}

/** For errors raised by HTTP machinery (routing, body parsing) rather than by our code. */
export function errorCodeForStatus(status: number): ErrorCode {
  const byStatus: Record<number, ErrorCode> = {
    400: ErrorCode.BadRequest,
    401: ErrorCode.Unauthorized,
    403: ErrorCode.Forbidden,
    404: ErrorCode.NotFound,
    409: ErrorCode.Conflict,
    413: ErrorCode.PayloadTooLarge,
    415: ErrorCode.UnsupportedMediaType,
    429: ErrorCode.RateLimited,
    503: ErrorCode.ServiceUnavailable,
    504: ErrorCode.Timeout,
  };
  return byStatus[status] ?? (status < 500 ? ErrorCode.BadRequest : ErrorCode.Internal);
}

const titles: Record<ErrorCode, string> = {
  [ErrorCode.BadRequest]: 'Bad request',
  [ErrorCode.ValidationFailed]: 'The request is not valid',
  [ErrorCode.Unauthorized]: 'Authentication required',
  [ErrorCode.Forbidden]: 'Not allowed',
  [ErrorCode.NotFound]: 'Not found',
  [ErrorCode.Conflict]: 'Conflict',
  [ErrorCode.PayloadTooLarge]: 'Payload too large',
  [ErrorCode.UnsupportedMediaType]: 'Unsupported media type',
  [ErrorCode.RateLimited]: 'Too many requests',
  [ErrorCode.Timeout]: 'A service took too long to answer',
  [ErrorCode.ServiceUnavailable]: 'A service is unavailable',
  [ErrorCode.ServerUnavailable]: 'An MCP server is unavailable',
  [ErrorCode.Internal]: 'Internal error',
};

/** An RFC 9457 problem body, with our `code` (and `errorId` for 5xx) as extension members. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  errorId?: string;
  details?: unknown;
}

export function problemFor(code: ErrorCode, detail: string, extra: Partial<ProblemDetails> = {}): ProblemDetails {
  return { type: `/problems/${code}`, title: titles[code], status: httpStatusFor(code), detail, code, ...extra };
}
