import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type ApiKeyDto, type ApiKeyOwner, type ApiKeyScope, AppError, ErrorCode, type Role } from '@dataflow/shared';

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const keyColumns = 'id, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at';
const iso = (date: Date | null) => (date ? date.toISOString() : null);

function toDto(row: KeyRow): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAt: row.created_at.toISOString(),
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

/** API keys, stored as hashes with a visible prefix. */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(userId: string, name: string, scopes: ApiKeyScope[], prefix: string, keyHash: string, expiresAt: Date | null): Promise<ApiKeyDto> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO api_keys (user_id, name, scopes, prefix, key_hash, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${keyColumns}`,
      [userId, name, scopes, prefix, keyHash, expiresAt],
    )) as KeyRow[];
    return toDto(row);
  }

  async list(userId: string): Promise<ApiKeyDto[]> {
    const rows = (await this.dataSource.query(`SELECT ${keyColumns} FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, [userId])) as KeyRow[];
    return rows.map(toDto);
  }

  /** Another user's key is "not found", like a key that does not exist: its existence does not leak. */
  async revoke(userId: string, id: string): Promise<ApiKeyDto> {
    // TypeORM answers an UPDATE with [rows, count].
    const [[row]] = (await this.dataSource.query(
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND user_id = $2 RETURNING ${keyColumns}`,
      [id, userId],
    )) as [KeyRow[], number];
    if (!row) throw new AppError(ErrorCode.NotFound, 'There is no such API key');
    return toDto(row);
  }

  async find(keyHash: string): Promise<ApiKeyOwner> {
    const [[row]] = (await this.dataSource.query(
      `UPDATE api_keys k SET last_used_at = now()
         FROM users u
        WHERE k.key_hash = $1 AND u.id = k.user_id AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) AND NOT u.disabled
        RETURNING k.id, k.name, k.prefix, k.scopes, k.created_at, k.expires_at, k.last_used_at, k.revoked_at,
                  u.id AS user_id, u.email, u.name AS user_name, u.role, u.disabled, u.created_at AS user_created_at`,
      [keyHash],
    )) as [(KeyRow & { user_id: string; email: string; user_name: string; role: Role; disabled: boolean; user_created_at: Date })[], number];
    if (!row) return null;
    return {
      key: toDto(row),
      user: { id: row.user_id, email: row.email, name: row.user_name, role: row.role, disabled: row.disabled, createdAt: row.user_created_at.toISOString() },
    };
  }
}
