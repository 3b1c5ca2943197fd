/** The account behind a session, as `GET /api/v1/auth/me` and the sign-in answers give it. */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: 'admin' | 'member';
}

/** `POST /api/v1/auth/login`, `register` and `refresh`. */
export interface SessionResponse {
  readonly accessToken: string;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly user: User;
}

/** `GET /api/v1/auth/setup`. */
export interface SetupStatus {
  /** No account exists yet: the first to register becomes the admin. */
  readonly firstRun: boolean;
  readonly registration: 'open' | 'invite' | 'closed';
}

export interface Session {
  readonly accessToken: string;
  /** When the access token stops working (ms since the epoch). */
  readonly expiresAt: number;
  readonly user: User;
}

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

export interface Registration extends Credentials {
  readonly name: string;
  /** An admin's invitation, when registration is by invitation. */
  readonly invitation?: string;
}
