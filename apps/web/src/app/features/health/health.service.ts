import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Service, inject } from '@angular/core';
import { Observable, catchError, map, of, switchMap, timer } from 'rxjs';
import { API_BASE_URL } from '../../core/api-base-url.token';
import { apiUrl } from '../../core/api-url';
import {
  type HealthReport,
  isTerminusHealthBody,
  reportFromTerminus,
  unreachableReport,
} from './health.model';

/** How often the health page re-checks readiness. */
export const HEALTH_POLL_INTERVAL_MS = 5_000;

/** A check that takes longer than this counts as "unreachable" (kept below the poll interval). */
const HEALTH_REQUEST_TIMEOUT_MS = 4_000;

/** Reads the gateway's readiness endpoint (`GET /health/ready`, Terminus JSON). */
@Service()
export class HealthService {
  private readonly http = inject(HttpClient);
  private readonly readyUrl = apiUrl(inject(API_BASE_URL), '/health/ready');

  /** Checks readiness once. Never errors: failures become a `not-ready` or `unreachable` report. */
  check(): Observable<HealthReport> {
    return this.http
      .get<unknown>(this.readyUrl, { cache: 'no-store', timeout: HEALTH_REQUEST_TIMEOUT_MS })
      .pipe(
        map((body) =>
          isTerminusHealthBody(body)
            ? reportFromTerminus(body, true, new Date())
            : unreachableReport('The gateway answered with an unexpected body.', new Date()),
        ),
        catchError((error: unknown) => of(reportFromError(error))),
      );
  }

  /** Checks now and then every `intervalMs`; a slow check is dropped in favour of the next one. */
  poll(intervalMs: number = HEALTH_POLL_INTERVAL_MS): Observable<HealthReport> {
    return timer(0, intervalMs).pipe(switchMap(() => this.check()));
  }
}

function reportFromError(error: unknown): HealthReport {
  const checkedAt = new Date();
  // Not ready: the gateway answers 503 with the Terminus body in HttpErrorResponse.error.
  if (error instanceof HttpErrorResponse && isTerminusHealthBody(error.error)) {
    return reportFromTerminus(error.error, false, checkedAt);
  }
  const reason =
    error instanceof HttpErrorResponse && error.status !== 0
      ? `The gateway answered HTTP ${error.status}.`
      : 'No response from the gateway.';
  return unreachableReport(reason, checkedAt);
}
