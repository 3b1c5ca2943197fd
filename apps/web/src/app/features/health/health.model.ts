/** Overall readiness of the platform as shown on the health page. */
export type OverallStatus = 'ready' | 'not-ready' | 'unreachable';

/** One checked part of the platform (a Terminus health indicator, e.g. `redis`). */
export interface HealthPart {
  readonly name: string;
  readonly status: 'up' | 'down';
  /** Why the part is down, when the indicator reported a reason. */
  readonly message?: string;
}

export interface HealthReport {
  readonly overall: OverallStatus;
  /** Every checked part, in the order the gateway reported them. Empty when unreachable. */
  readonly parts: readonly HealthPart[];
  readonly checkedAt: Date;
  /** Why the gateway could not be reached (only for `unreachable`). */
  readonly reason?: string;
}

/** Body of `GET /health/ready` as produced by @nestjs/terminus (200 and 503 alike). */
export interface TerminusHealthBody {
  readonly status: 'ok' | 'error' | 'shutting_down';
  readonly info?: Readonly<Record<string, TerminusIndicator>>;
  readonly error?: Readonly<Record<string, TerminusIndicator>>;
  readonly details?: Readonly<Record<string, TerminusIndicator>>;
}

interface TerminusIndicator {
  readonly status?: unknown;
  readonly message?: unknown;
  readonly [key: string]: unknown;
}

const TERMINUS_STATUSES: readonly unknown[] = ['ok', 'error', 'shutting_down'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isTerminusHealthBody(value: unknown): value is TerminusHealthBody {
  return isRecord(value) && TERMINUS_STATUSES.includes(value['status']);
}

function toPart(name: string, indicator: unknown): HealthPart {
  const fields = isRecord(indicator) ? indicator : {};
  const status = fields['status'] === 'up' ? 'up' : 'down';
  const message = fields['message'];
  return status === 'down' && typeof message === 'string' && message.length > 0
    ? { name, status, message }
    : { name, status };
}

/**
 * Turns a Terminus body into a report. `httpOk` is false for the 503 the gateway sends when
 * not ready, so a body only counts as ready when both the HTTP status and Terminus agree.
 */
export function reportFromTerminus(
  body: TerminusHealthBody,
  httpOk: boolean,
  checkedAt: Date,
): HealthReport {
  const indicators = body.details ?? { ...body.info, ...body.error };
  return {
    overall: httpOk && body.status === 'ok' ? 'ready' : 'not-ready',
    parts: Object.entries(indicators).map(([name, indicator]) => toPart(name, indicator)),
    checkedAt,
  };
}

export function unreachableReport(reason: string, checkedAt: Date): HealthReport {
  return { overall: 'unreachable', parts: [], checkedAt, reason };
}
