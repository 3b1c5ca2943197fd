import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { type ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { routes } from './app.routes';
import { API_BASE_URL } from './core/api-base-url.token';
import { authInterceptor } from './core/auth/auth.interceptor';

// Zoneless change detection and the fetch-based HttpClient backend are both Angular 22 defaults,
// so neither provideZonelessChangeDetection() nor withFetch() is needed here.
export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideHttpClient(withInterceptors([authInterceptor])),
    // Query parameters (returnUrl, invitation, welcome) reach the pages as inputs.
    provideRouter(routes, withComponentInputBinding()),
    // Same origin: the gateway serves both this app and the API.
    { provide: API_BASE_URL, useValue: '' },
  ],
};
