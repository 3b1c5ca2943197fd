import { HttpErrorResponse } from '@angular/common/http';

/**
 * What went wrong with an API call, in words for the person using the app: the problem+json
 * `detail` the gateway sends, or a plain sentence when there is none (no answer, a proxy's page).
 */
export function problemMessage(error: unknown): string {
  if (error instanceof HttpErrorResponse) {
    const body: unknown = error.error;
    if (typeof body === 'object' && body !== null && typeof (body as { detail?: unknown }).detail === 'string') {
      return (body as { detail: string }).detail;
    }
    if (error.status === 0) return 'The server cannot be reached. Check your connection and try again.';
    return `The server answered ${error.status}${error.statusText ? ` (${error.statusText})` : ''}. Try again in a moment.`;
  }
  return 'Something went wrong. Try again in a moment.';
}
