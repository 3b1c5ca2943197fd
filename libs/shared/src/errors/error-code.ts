/**
 * The codes that cross the wire between apps and reach API clients in problem+json bodies.
 * Clients match on these strings: do not rename a value without a migration plan.
 */
export enum ErrorCode {
  BadRequest = 'bad_request',
  ValidationFailed = 'validation_failed',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Conflict = 'conflict',
  PayloadTooLarge = 'payload_too_large',
  /** A body in a format the route does not take: not JSON, or a file of a type that is not allowed. */
  UnsupportedMediaType = 'unsupported_media_type',
  RateLimited = 'rate_limited',
  Timeout = 'timeout',
  ServiceUnavailable = 'service_unavailable',
  /** An MCP server is down, restarting or failed: the broker answers at once rather than wait. */
  ServerUnavailable = 'server_unavailable',
  Internal = 'internal',
}

const knownCodes = new Set<string>(Object.values(ErrorCode));

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && knownCodes.has(value);
}
