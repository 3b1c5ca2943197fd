import { InjectionToken } from '@angular/core';

/**
 * Origin (and optional path prefix) of the gateway's HTTP API, without a trailing slash.
 *
 * `''` means "same origin as the page", which is how the gateway serves this app.
 * Provided once in `app.config.ts`; services build request URLs with {@link apiUrl}
 * and must never hard-code a host.
 */
export const API_BASE_URL = new InjectionToken<string>('API_BASE_URL');
