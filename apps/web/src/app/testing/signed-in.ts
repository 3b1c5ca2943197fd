import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { User } from '../core/auth/session.model';
import { SessionService } from '../core/auth/session.service';

/** For component tests: signs `user` in through the testing HttpClient (access token `t`), as the sign-in page would. */
export async function signedInAs(http: HttpTestingController, user: User): Promise<SessionService> {
  const session = TestBed.inject(SessionService);
  const signingIn = session.signIn({ email: user.email, password: 'x' });
  http.expectOne('/api/v1/auth/login').flush({ accessToken: 't', expiresIn: 900, user });
  await signingIn;
  return session;
}
