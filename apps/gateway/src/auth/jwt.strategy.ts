import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { ApiKeyScope } from '@dataflow/shared';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options.js';
import { callerOf } from './bearer-authenticator.js';
import type { AccessClaims } from './tokens.service.js';

/** Who made the request, as the guards and handlers see it. */
export interface Caller {
  userId: string;
  role: AccessClaims['role'];
  /** Set when the caller is an API key: what it may do. A session may do what its role allows. */
  scopes?: ApiKeyScope[];
}

/** `Authorization: Bearer <access token>`: HS256 only, with its issuer, audience and expiry checked. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(AUTH_OPTIONS) options: AuthOptions) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A key object, made once: given a string, the JWT library first tries it as a public key (and
      // fails) on every request. passport-jwt hands it to jsonwebtoken as it is; only its types are narrower.
      secretOrKey: createSecretKey(Buffer.from(options.secret, 'utf8')) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: options.issuer,
      audience: options.audience,
      ignoreExpiration: false,
    });
  }

  validate(claims: AccessClaims): Caller {
    return callerOf(claims);
  }
}
