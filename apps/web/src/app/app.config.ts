import { provideHttpClient } from '@angular/common/http';
import { type ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';
import { API_BASE_URL } from './core/api-base-url.token';

// Zoneless change detection and the fetch-based HttpClient backend are both Angular 22 defaults,
// so neither provideZonelessChangeDetection() nor withFetch() is needed here.
export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideHttpClient(),
    // Same origin: the gateway serves both this app and the API.
    { provide: API_BASE_URL, useValue: '' },
  ],
};
