import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppError, type CreateInvitationRequest, ErrorCode, type InvitationDto, type Role } from '@dataflow/shared';

interface InvitationRow {
  id: string;
  email: string | null;
  role: Role;
  created_by: string | null;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  used_by: string | null;
}

const invitationColumns = 'id, email, role, created_by, created_at, expires_at, used_at, used_by';

function toDto(row: InvitationRow): InvitationDto {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    usedAt: row.used_at?.toISOString() ?? null,
    usedBy: row.used_by,
  };
}

/** Invitations to register, stored as token hashes. Registration uses them up (AccountsRepository.createUser). */
@Injectable()
export class InvitationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(request: CreateInvitationRequest): Promise<InvitationDto> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO invitations (token_hash, email, role, created_by, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(days => $5)) RETURNING ${invitationColumns}`,
      [request.tokenHash, request.email ?? null, request.role, request.createdBy, request.expiresInDays],
    )) as InvitationRow[];
    return toDto(row!);
  }

  async list(): Promise<InvitationDto[]> {
    const rows = (await this.dataSource.query(`SELECT ${invitationColumns} FROM invitations ORDER BY created_at DESC, id DESC LIMIT 500`)) as InvitationRow[];
    return rows.map(toDto);
  }

  async revoke(id: string): Promise<void> {
    const [, count] = (await this.dataSource.query(`DELETE FROM invitations WHERE id = $1 AND used_at IS NULL`, [id])) as [unknown, number];
    if (!count) throw new AppError(ErrorCode.NotFound, 'There is no such unused invitation');
  }
}
