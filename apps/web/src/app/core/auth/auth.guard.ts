import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';
import { SessionService } from './session.service';

/** A page for signed-in people: the session is restored from the refresh cookie, else the person signs in (or sets up an empty instance). */
export const signedInGuard: CanActivateFn = async (_route, state) => {
  const session = inject(SessionService);
  const router = inject(Router);
  if (await session.restore()) return true;
  const { firstRun } = await session.setup().catch(() => ({ firstRun: false }));
  return firstRun ? router.createUrlTree(['/setup']) : router.createUrlTree(['/sign-in'], { queryParams: { returnUrl: state.url } });
};
