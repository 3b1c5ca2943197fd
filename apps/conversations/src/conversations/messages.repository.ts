import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  AppError,
  type AppendMessageRequest,
  ErrorCode,
  type MessageChange,
  type MessageDto,
  type MessagePart,
  messageText,
  type Page,
  seqFromCursor,
  seqPage,
} from '@dataflow/shared';

interface MessageRow {
  id: string;
  seq: string;
  conversation_id: string;
  parent_id: string | null;
  role: MessageDto['role'];
  status: MessageDto['status'];
  parts: MessagePart[];
  model: string | null;
  usage: MessageDto['usage'];
  timing: MessageDto['timing'];
  created_at: Date;
  updated_at: Date;
}

const messageColumns = 'id, seq, conversation_id, parent_id, role, status, parts, model, usage, timing, created_at, updated_at';

function toDto(row: MessageRow): MessageDto {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    parentId: row.parent_id,
    role: row.role,
    status: row.status,
    parts: row.parts,
    model: row.model,
    usage: row.usage,
    timing: row.timing,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Postgres text and jsonb cannot hold NUL; a model or a tool that writes one gets U+FFFD in its place. */
const withoutNul = (text: string) => text.replaceAll('\u0000', '\ufffd');

/** What search indexes of a message: its text parts. */
const searchableText = (parts: MessagePart[]) => withoutNul(messageText(parts));

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value, (_key, item: unknown) => (typeof item === 'string' ? withoutNul(item) : item)));

const noConversation = () => new AppError(ErrorCode.NotFound, 'There is no such conversation');
const noMessage = () => new AppError(ErrorCode.NotFound, 'There is no such message');

/**
 * Messages, one row each. A message that streams is appended once and then rewritten (that row
 * only) as its parts grow, in batches; the conversation is never rewritten.
 */
@Injectable()
export class MessagesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Adds a message to the owner's conversation and marks the conversation active; refused (and nothing written) when either is not found. */
  append(request: AppendMessageRequest): Promise<MessageDto> {
    return this.dataSource.transaction(async (manager) => {
      const [touched] = (await manager.query(`UPDATE conversations SET active_at = now() WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL RETURNING id`, [
        request.conversationId,
        request.ownerId,
      ])) as [{ id: string }[], number];
      if (touched.length === 0) throw noConversation();
      if (request.parentId) {
        const [parent] = (await manager.query(`SELECT 1 FROM messages WHERE id = $1 AND conversation_id = $2`, [request.parentId, request.conversationId])) as unknown[];
        if (!parent) throw new AppError(ErrorCode.ValidationFailed, 'parentId names no message in this conversation', { field: 'parentId' });
      }
      const [row] = (await manager.query(
        `INSERT INTO messages (conversation_id, parent_id, role, status, parts, text, model, usage, timing)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${messageColumns}`,
        [
          request.conversationId,
          request.parentId ?? null,
          request.role,
          request.status ?? 'complete',
          json(request.parts),
          searchableText(request.parts),
          request.model ?? null,
          json(request.usage),
          json(request.timing),
        ],
      )) as MessageRow[];
      return toDto(row!);
    });
  }

  /** Rewrites a streaming message (the batches of a long answer); once it has ended it is read-only. */
  async update(ownerId: string, conversationId: string, id: string, change: MessageChange): Promise<MessageDto> {
    const [rows] = (await this.dataSource.query(
      `UPDATE messages m SET
         parts = coalesce($4::jsonb, m.parts),
         text = coalesce($5, m.text),
         status = coalesce($6, m.status),
         model = coalesce($7, m.model),
         usage = coalesce($8::jsonb, m.usage),
         timing = coalesce($9::jsonb, m.timing),
         updated_at = now()
       FROM conversations c
       WHERE m.id = $3 AND m.conversation_id = $2 AND m.status = 'streaming'
         AND c.id = m.conversation_id AND c.owner_id = $1 AND c.deleted_at IS NULL
       RETURNING ${messageColumns.split(', ').map((column) => `m.${column}`).join(', ')}`,
      [
        ownerId,
        conversationId,
        id,
        json(change.parts),
        change.parts ? searchableText(change.parts) : null,
        change.status ?? null,
        change.model ?? null,
        json(change.usage),
        json(change.timing),
      ],
    )) as [MessageRow[], number];
    if (rows[0]) return toDto(rows[0]);
    const [existing] = (await this.dataSource.query(
      `SELECT m.status FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.id = $3 AND m.conversation_id = $2 AND c.owner_id = $1 AND c.deleted_at IS NULL`,
      [ownerId, conversationId, id],
    )) as { status: string }[];
    if (!existing) throw noMessage();
    throw new AppError(ErrorCode.Conflict, `This message is ${existing.status}: only a streaming message can change`);
  }

  /** The owner's conversation's messages, oldest first. */
  async get(ownerId: string, id: string): Promise<MessageDto> {
    const [row] = (await this.dataSource.query(
      `SELECT ${messageColumns.replace(/(\w+)/g, 'm.$1')} FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.id = $1 AND c.owner_id = $2 AND c.deleted_at IS NULL`,
      [id, ownerId],
    )) as MessageRow[];
    if (!row) throw noMessage();
    return toDto(row);
  }

  async list(ownerId: string, conversationId: string, limit: number, cursor: string | undefined): Promise<Page<MessageDto>> {
    const after = seqFromCursor(cursor);
    const [owned] = (await this.dataSource.query(`SELECT 1 FROM conversations WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL`, [conversationId, ownerId])) as unknown[];
    if (!owned) throw noConversation();
    const rows = (await this.dataSource.query(
      `SELECT ${messageColumns} FROM messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [conversationId, after ?? '0', limit + 1],
    )) as MessageRow[];
    return seqPage(rows, limit, toDto);
  }
}
