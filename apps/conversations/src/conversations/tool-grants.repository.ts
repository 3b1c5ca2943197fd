import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppError, ErrorCode, type ToolGrantDto } from '@dataflow/shared';

interface ToolGrantRow {
  id: string;
  tool: string;
  conversation_id: string | null;
  created_at: Date;
}

const grantColumns = 'g.id, g.tool, g.conversation_id, g.created_at';

function toDto(row: ToolGrantRow): ToolGrantDto {
  return { id: row.id, tool: row.tool, conversationId: row.conversation_id, createdAt: row.created_at.toISOString() };
}

/** A grant in a deleted conversation no longer holds, and is not shown; the purge removes it with its conversation. */
const inLiveConversation = `(g.conversation_id IS NULL OR EXISTS (SELECT 1 FROM conversations c WHERE c.id = g.conversation_id AND c.deleted_at IS NULL))`;

const noConversation = () => new AppError(ErrorCode.NotFound, 'There is no such conversation');
const noGrant = () => new AppError(ErrorCode.NotFound, 'There is no such tool grant');

/** Tool grants: the tools a user has allowed the chat agent to run without asking, in one conversation or always. */
@Injectable()
export class ToolGrantsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The owner's grants, newest first; with a conversation, only those that hold in it (its own and the "always" ones). */
  async list(ownerId: string, conversationId: string | undefined): Promise<ToolGrantDto[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${grantColumns} FROM tool_grants g
       WHERE g.user_id = $1 AND ${inLiveConversation} AND ($2::uuid IS NULL OR g.conversation_id IS NULL OR g.conversation_id = $2::uuid)
       ORDER BY g.created_at DESC, g.id DESC`,
      [ownerId, conversationId ?? null],
    )) as ToolGrantRow[];
    return rows.map(toDto);
  }

  /**
   * Grants the tool in the owner's conversation, or always without one. Granting what is granted
   * already answers that grant: a second insert does nothing, and the row is read after it (in a
   * statement of its own, so that it sees a grant that another request has just committed).
   */
  async create(ownerId: string, tool: string, conversationId: string | undefined): Promise<ToolGrantDto> {
    if (conversationId !== undefined) {
      const [owned] = (await this.dataSource.query(`SELECT 1 FROM conversations WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL`, [conversationId, ownerId])) as unknown[];
      if (!owned) throw noConversation();
    }
    const parameters = [ownerId, tool, conversationId ?? null];
    const [inserted] = (await this.dataSource.query(
      `INSERT INTO tool_grants AS g (user_id, tool, conversation_id) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, tool, conversation_id) DO NOTHING RETURNING ${grantColumns}`,
      parameters,
    )) as ToolGrantRow[];
    if (inserted) return toDto(inserted);
    const [existing] = (await this.dataSource.query(
      `SELECT ${grantColumns} FROM tool_grants g WHERE g.user_id = $1 AND g.tool = $2 AND g.conversation_id IS NOT DISTINCT FROM $3::uuid`,
      parameters,
    )) as ToolGrantRow[];
    // Only a revoke between the two statements leaves nothing to answer.
    if (!existing) throw new AppError(ErrorCode.Conflict, 'The grant was revoked while it was being made; try again');
    return toDto(existing);
  }

  async delete(ownerId: string, id: string): Promise<void> {
    // TypeORM answers a DELETE … RETURNING with [rows, count].
    const [rows] = (await this.dataSource.query(`DELETE FROM tool_grants WHERE id = $1 AND user_id = $2 RETURNING id`, [id, ownerId])) as [unknown[], number];
    if (rows.length === 0) throw noGrant();
  }
}
