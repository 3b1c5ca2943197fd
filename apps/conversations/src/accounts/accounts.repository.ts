import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppError, type AuditAction, type Credentials, ErrorCode, type LoginRecord, loginLockout, type PasswordCheck, type Role, type RotationOutcome, type UserDto } from '@dataflow/shared';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  created_at: Date;
  password_hash: string;
  locked_until: Date | null;
}

const userColumns = 'id, email, name, role, disabled, created_at, password_hash, locked_until';

function toDto(row: UserRow): UserDto {
  return { id: row.id, email: row.email, name: row.name, role: row.role, disabled: row.disabled, createdAt: row.created_at.toISOString() };
}

const uniqueViolation = '23505';

/** Users and refresh tokens, in SQL: each operation that reads then writes runs in one transaction. */
@Injectable()
export class AccountsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The first account becomes admin; after that, `othersMayRegister` decides, or an invitation
   * (used up by this registration, and giving its role). Serialised, so two first registrations
   * cannot both become admin, nor two registrations use one invitation.
   */
  createUser(email: string, name: string, passwordHash: string, othersMayRegister: boolean, invitationHash?: string): Promise<UserDto> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('accounts.create-user'))`);
      const [{ any }] = (await manager.query(`SELECT EXISTS (SELECT 1 FROM users) AS any`)) as { any: boolean }[];
      let role: Role = any ? 'member' : 'admin';
      let invitationId: string | undefined;
      if (any && invitationHash) {
        const [invitation] = (await manager.query(
          `SELECT id, role FROM invitations WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() AND (email IS NULL OR lower(email) = lower($2)) FOR UPDATE`,
          [invitationHash, email],
        )) as { id: string; role: Role }[];
        if (!invitation) throw new AppError(ErrorCode.Forbidden, 'This invitation is not valid: it was used, it expired, it was revoked, or it is for another email');
        ({ id: invitationId, role } = invitation);
      } else if (any && !othersMayRegister) {
        throw new AppError(ErrorCode.Forbidden, 'Registration is not open on this instance: ask an admin for an invitation');
      }
      try {
        const [row] = (await manager.query(`INSERT INTO users (email, name, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING ${userColumns}`, [
          email,
          name,
          passwordHash,
          role,
        ])) as UserRow[];
        if (invitationId) await manager.query(`UPDATE invitations SET used_at = now(), used_by = $2 WHERE id = $1`, [invitationId, row!.id]);
        return toDto(row!);
      } catch (error) {
        if ((error as { code?: string }).code === uniqueViolation) throw new AppError(ErrorCode.Conflict, 'An account with this email exists already');
        throw error;
      }
    });
  }

  async findCredentials(email: string): Promise<Credentials | null> {
    const [row] = (await this.dataSource.query(`SELECT ${userColumns} FROM users WHERE lower(email) = lower($1)`, [email])) as UserRow[];
    if (!row) return null;
    const locked = row.locked_until && row.locked_until.getTime() > Date.now() ? row.locked_until.toISOString() : null;
    return { user: toDto(row), passwordHash: row.password_hash, lockedUntil: locked };
  }

  async getUser(id: string): Promise<UserDto> {
    const [row] = (await this.dataSource.query(`SELECT ${userColumns} FROM users WHERE id = $1`, [id])) as UserRow[];
    if (!row) throw new AppError(ErrorCode.NotFound, 'There is no such user');
    return toDto(row);
  }

  /**
   * After a sign-in attempt (or a password change's check of the current password): a success
   * clears the count of failures; a failure adds one, and the `loginLockout.failures`-th in a row
   * locks the account for `loginLockout.minutes`. Audited.
   */
  recordLogin(email: string, succeeded: boolean, ip: string | undefined, check: PasswordCheck = 'login'): Promise<LoginRecord> {
    return this.dataSource.transaction(async (manager) => {
      const [user] = (await manager.query(`SELECT id FROM users WHERE lower(email) = lower($1) FOR UPDATE`, [email])) as { id: string }[];
      if (succeeded && user) {
        await manager.query(`UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1`, [user.id]);
        if (check === 'login') await this.insertAudit(manager, 'login.succeeded', user.id, undefined, ip, {});
        return { lockedUntil: null };
      }
      if (check === 'login') await this.insertAudit(manager, 'login.failed', user?.id, undefined, ip, { email });
      else await this.insertAudit(manager, 'user.password_change_failed', user?.id, user ? `user:${user.id}` : undefined, ip, {});
      if (!user) return { lockedUntil: null };
      const [[row]] = (await manager.query(
        `UPDATE users SET failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
                          locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
          WHERE id = $1 RETURNING locked_until`,
        [user.id, loginLockout.failures, loginLockout.minutes],
      )) as [{ locked_until: Date | null }[], number];
      const locked = row.locked_until && row.locked_until.getTime() > Date.now();
      if (locked) await this.insertAudit(manager, 'login.locked', user.id, undefined, ip, { minutes: loginLockout.minutes });
      return { lockedUntil: locked ? row.locked_until!.toISOString() : null };
    });
  }

  async audit(action: AuditAction, actorId: string | undefined, target: string | undefined, ip: string | undefined): Promise<void> {
    await this.insertAudit(this.dataSource.manager, action, actorId, target, ip, {});
  }

  private async insertAudit(manager: EntityManager, action: AuditAction, actorId: string | undefined, target: string | undefined, ip: string | undefined, details: object): Promise<void> {
    await manager.query(`INSERT INTO audit_log (action, actor_id, target, ip, details) VALUES ($1, $2, $3, $4, $5)`, [action, actorId ?? null, target ?? null, ip ?? null, JSON.stringify(details)]);
  }

  /** Oldest first; `after` is the last id of the previous page (an unknown one gives an empty page). */
  async listUsers(limit: number, after: string | undefined): Promise<UserDto[]> {
    // The cursor is read in SQL: a JavaScript Date would cut created_at's microseconds.
    const rows = (await this.dataSource.query(
      after
        ? `SELECT ${userColumns} FROM users WHERE (created_at, id) > (SELECT created_at, id FROM users WHERE id = $2) ORDER BY created_at, id LIMIT $1`
        : `SELECT ${userColumns} FROM users ORDER BY created_at, id LIMIT $1`,
      after ? [limit, after] : [limit],
    )) as UserRow[];
    return rows.map(toDto);
  }

  /** An admin changes a user's role or disabled flag. The last active admin cannot be demoted or disabled. */
  updateUser(actorId: string, id: string, change: { role?: Role; disabled?: boolean }): Promise<UserDto> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('accounts.admins'))`);
      const [before] = (await manager.query(`SELECT ${userColumns} FROM users WHERE id = $1 FOR UPDATE`, [id])) as UserRow[];
      if (!before) throw new AppError(ErrorCode.NotFound, 'There is no such user');
      const role = change.role ?? before.role;
      const disabled = change.disabled ?? before.disabled;
      if (before.role === 'admin' && !before.disabled && (role !== 'admin' || disabled)) {
        const [{ n }] = (await manager.query(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1`, [id])) as { n: number }[];
        if (n === 0) throw new AppError(ErrorCode.Conflict, 'This is the last active admin: make another admin first');
      }
      const [[after]] = (await manager.query(`UPDATE users SET role = $2, disabled = $3, updated_at = now() WHERE id = $1 RETURNING ${userColumns}`, [id, role, disabled])) as [UserRow[], number];
      if (role !== before.role) await this.insertAudit(manager, 'user.role_changed', actorId, `user:${id}`, undefined, { from: before.role, to: role });
      if (disabled !== before.disabled) {
        await this.insertAudit(manager, disabled ? 'user.disabled' : 'user.enabled', actorId, `user:${id}`, undefined, {});
        if (disabled) await manager.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [id]);
      }
      return toDto(after);
    });
  }

  /** The user's own name. */
  async updateProfile(id: string, name: string): Promise<UserDto> {
    const [rows] = (await this.dataSource.query(`UPDATE users SET name = $2, updated_at = now() WHERE id = $1 RETURNING ${userColumns}`, [id, name])) as [UserRow[], number];
    if (!rows[0]) throw new AppError(ErrorCode.NotFound, 'There is no such user');
    return toDto(rows[0]);
  }

  /**
   * A new password: every refresh token of the user is revoked (every session, on every device),
   * and a new family starts for the session that made the change. The count of failed checks is
   * cleared, as a sign-in clears it. Audited, with how many sessions were signed out.
   */
  changePassword(id: string, passwordHash: string, refreshTokenHash: string, refreshExpiresAt: Date, ip: string | undefined): Promise<{ revokedSessions: number }> {
    return this.dataSource.transaction(async (manager) => {
      const [user] = (await manager.query(`SELECT id, disabled FROM users WHERE id = $1 FOR UPDATE`, [id])) as { id: string; disabled: boolean }[];
      if (!user) throw new AppError(ErrorCode.NotFound, 'There is no such user');
      if (user.disabled) throw new AppError(ErrorCode.Forbidden, 'This account is disabled; ask an admin');
      await manager.query(`UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL, updated_at = now() WHERE id = $1`, [id, passwordHash]);
      const [revoked] = (await manager.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING family_id`, [id])) as [
        { family_id: string }[],
        number,
      ];
      await manager.query(`INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, gen_random_uuid(), $2, $3)`, [id, refreshTokenHash, refreshExpiresAt]);
      const revokedSessions = new Set(revoked.map((row) => row.family_id)).size;
      await this.insertAudit(manager, 'user.password_changed', id, `user:${id}`, ip, { revokedSessions });
      return { revokedSessions };
    });
  }

  /** Starts a token family (a login). */
  async issueRefreshToken(userId: string, tokenHash: string, expiresAt: Date): Promise<{ familyId: string }> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, gen_random_uuid(), $2, $3) RETURNING family_id`,
      [userId, tokenHash, expiresAt],
    )) as { family_id: string }[];
    return { familyId: row.family_id };
  }

  /**
   * Swaps a refresh token for the next one of its family. A token that was swapped before is a
   * stolen copy or a replay: the whole family is revoked, and the caller is told.
   */
  rotateRefreshToken(tokenHash: string, nextTokenHash: string, nextExpiresAt: Date): Promise<RotationOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const [token] = (await manager.query(
        `SELECT t.id, t.user_id, t.family_id, t.expires_at, t.used_at, t.revoked_at FROM refresh_tokens t WHERE t.token_hash = $1 FOR UPDATE`,
        [tokenHash],
      )) as { id: string; user_id: string; family_id: string; expires_at: Date; used_at: Date | null; revoked_at: Date | null }[];
      if (!token || token.revoked_at) return { outcome: 'unknown' };
      if (token.used_at) {
        await this.revokeFamily(manager, token.family_id);
        await this.insertAudit(manager, 'token.reused', token.user_id, `refresh-token-family:${token.family_id}`, undefined, {});
        return { outcome: 'reused' };
      }
      if (token.expires_at.getTime() <= Date.now()) return { outcome: 'expired' };
      const [user] = (await manager.query(`SELECT ${userColumns} FROM users WHERE id = $1`, [token.user_id])) as UserRow[];
      if (!user || user.disabled) {
        await this.revokeFamily(manager, token.family_id);
        return { outcome: 'disabled' };
      }
      await manager.query(`UPDATE refresh_tokens SET used_at = now() WHERE id = $1`, [token.id]);
      await manager.query(`INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4)`, [
        token.user_id,
        token.family_id,
        nextTokenHash,
        nextExpiresAt,
      ]);
      return { outcome: 'rotated', user: toDto(user) };
    });
  }

  /** A logout: the token's family is revoked. */
  async revokeRefreshToken(tokenHash: string): Promise<{ revoked: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const [token] = (await manager.query(`SELECT family_id FROM refresh_tokens WHERE token_hash = $1`, [tokenHash])) as { family_id: string }[];
      if (!token) return { revoked: false };
      await this.revokeFamily(manager, token.family_id);
      return { revoked: true };
    });
  }

  private async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`, [familyId]);
  }
}
