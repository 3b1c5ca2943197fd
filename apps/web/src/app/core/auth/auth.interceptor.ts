import { HttpErrorResponse, type HttpInterceptorFn, type HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, from, switchMap, throwError } from 'rxjs';
import { AUTH_PATH, SESSION_ROUTES, SessionService } from './session.service';

const withToken = (request: HttpRequest<unknown>, token: string) => request.clone({ setHeaders: { authorization: `Bearer ${token}` } });
const isSessionRoute = (url: string) => SESSION_ROUTES.some((route) => url.split('?')[0]!.endsWith(`${AUTH_PATH}${route}`));

/**
 * Gives API calls the session's access token. A 401 refreshes the session once, silently, and
 * sends the call again; when the session cannot be refreshed, the person goes to sign-in, with
 * the page they were on kept to come back to (what they typed stays in that page's draft).
 */
export const authInterceptor: HttpInterceptorFn = (request, next) => {
  const session = inject(SessionService);
  const router = inject(Router);
  if (!request.url.includes('/api/') || isSessionRoute(request.url)) return next(request);
  const token = session.session()?.accessToken;
  return next(token ? withToken(request, token) : request).pipe(
    catchError((error: unknown) => {
      if (!(error instanceof HttpErrorResponse) || error.status !== 401) return throwError(() => error);
      return from(session.refresh()).pipe(
        switchMap((renewed) => {
          if (renewed) return next(withToken(request, renewed.accessToken));
          void router.navigate(['/sign-in'], { queryParams: { returnUrl: router.url } });
          return throwError(() => error);
        }),
      );
    }),
  );
};
