import { inject } from '@angular/core';
import { type CanActivateFn, Router, type UrlTree } from '@angular/router';
import { SessionService } from './session.service';

/** The session, restored from the refresh cookie if need be; else where to go: sign-in (or the setup of an empty instance). */
async function sessionOrRedirect(session: SessionService, router: Router, url: string): Promise<true | UrlTree> {
  if (await session.restore()) return true;
  const { firstRun } = await session.setup().catch(() => ({ firstRun: false }));
  return firstRun ? router.createUrlTree(['/setup']) : router.createUrlTree(['/sign-in'], { queryParams: { returnUrl: url } });
}

/** A page for signed-in people. */
export const signedInGuard: CanActivateFn = (_route, state) => sessionOrRedirect(inject(SessionService), inject(Router), state.url);

/** A page for admins: others go home. */
export const adminGuard: CanActivateFn = async (_route, state) => {
  const session = inject(SessionService);
  const router = inject(Router);
  const allowed = await sessionOrRedirect(session, router, state.url);
  if (allowed !== true) return allowed;
  return session.user()?.role === 'admin' ? true : router.createUrlTree(['/']);
};
