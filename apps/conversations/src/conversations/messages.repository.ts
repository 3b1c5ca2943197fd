import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  AppError,
  type AppendMessageRequest,
  type AskRequest,
  defaultConversationTitle,
  ErrorCode,
  type MessageChange,
  type MessageDto,
  type MessagePart,
  messageText,
  type Page,
  seqFromCursor,
  seqPage,
} from '@dataflow/shared';
import { queryPrepared } from '../database/prepared-statement.js';
import type { Conversation } from './conversation.entity.js';

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
  /** A Date from a row, an ISO string from a row read as JSON. */
  created_at: Date | string;
  updated_at: Date | string;
}

/** What a conversation shows of itself. */
export type ConversationFields = Pick<Conversation, 'id' | 'title' | 'pinned' | 'archived' | 'model' | 'createdAt' | 'updatedAt' | 'activeAt'>;

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
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Postgres text and jsonb cannot hold NUL; a model or a tool that writes one gets U+FFFD in its place. */
const withoutNul = (text: string) => text.replaceAll('\u0000', '\ufffd');

/** What search indexes of a message: its text parts. */
const searchableText = (parts: MessagePart[]) => withoutNul(messageText(parts));

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value, (_key, item: unknown) => (typeof item === 'string' ? withoutNul(item) : item)));

/** The messages from the first to `leafId`, following each one's parent. */
function branchTo(messages: MessageRow[], leafId: string | null): MessageRow[] {
  const byId = new Map(messages.map((message) => [message.id, message]));
  const branch: MessageRow[] = [];
  for (let at = leafId ? byId.get(leafId) : undefined; at; at = at.parent_id ? byId.get(at.parent_id) : undefined) branch.push(at);
  return branch.reverse();
}

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

  /**
   * A user's question and the empty answer a turn will write, in one statement, so both are added
   * or neither, in one round trip: the question under its parent (the one given, or the latest
   * message), the answer under the question, the conversation marked active and, on its first
   * message, titled. The branch the question continues is read in the same statement.
   */
  async ask(request: AskRequest): Promise<{ conversation: ConversationFields; question: MessageDto; answer: MessageDto; branch: MessageDto[]; first: boolean }> {
    const [questionId, answerId] = [randomUUID(), randomUUID()];
    const [row] = await queryPrepared<{ first: boolean | null; parent_id: string | null; conversation: (Record<string, string | boolean | null> & { id: string }) | null; added: MessageRow[] | null; earlier: MessageRow[] | null }>(
      this.dataSource,
      'messages.ask',
      `WITH owned AS (
         SELECT c.id, c.model, c.title = $5 AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id) AS first
         FROM conversations c WHERE c.id = $1 AND c.owner_id = $2 AND c.deleted_at IS NULL
       ),
       -- No row when the parent given is not a message of this conversation: then nothing below is written.
       placed AS (
         SELECT parent.id FROM (
           SELECT CASE WHEN $3::boolean THEN $4::uuid ELSE (SELECT id FROM messages WHERE conversation_id = $1 ORDER BY seq DESC LIMIT 1) END AS id FROM owned
         ) parent
         WHERE parent.id IS NULL OR EXISTS (SELECT 1 FROM messages m WHERE m.id = parent.id AND m.conversation_id = $1)
       ),
       conversation AS (
         UPDATE conversations c SET
           active_at = now(),
           title = CASE WHEN owned.first AND $6::text IS NOT NULL THEN $6::text ELSE c.title END,
           updated_at = CASE WHEN owned.first AND $6::text IS NOT NULL THEN now() ELSE c.updated_at END
         FROM owned, placed WHERE c.id = owned.id
         RETURNING c.id, c.title, c.pinned, c.archived, c.model, c.created_at, c.updated_at, c.active_at
       ),
       added AS (
         INSERT INTO messages (id, conversation_id, parent_id, role, status, parts, text, model)
         SELECT $7::uuid, conversation.id, placed.id, 'user', 'complete', $8::jsonb, $9, NULL FROM conversation, placed
         UNION ALL
         SELECT $10::uuid, conversation.id, $7::uuid, 'assistant', 'streaming', '[]'::jsonb, '', CASE WHEN owned.model = ANY($11::text[]) THEN owned.model ELSE $12::text END
         FROM conversation, owned
         RETURNING ${messageColumns}
       )
       SELECT (SELECT first FROM owned) AS first,
              (SELECT id FROM placed) AS parent_id,
              (SELECT row_to_json(conversation) FROM conversation) AS conversation,
              (SELECT json_agg(added) FROM added) AS added,
              -- The messages before these two, for the branch the question continues (walked here, as a
              -- recursive query's plan can turn into a scan of every message per step).
              (SELECT json_agg(earlier ORDER BY earlier.seq) FROM (SELECT ${messageColumns} FROM messages WHERE conversation_id = $1) earlier) AS earlier`,
      [
        request.conversationId,
        request.ownerId,
        request.parentId !== undefined,
        request.parentId ?? null,
        defaultConversationTitle,
        request.title ?? null,
        questionId,
        json(request.parts),
        searchableText(request.parts),
        answerId,
        request.keepModels ?? [],
        request.model ?? null,
      ],
    );
    if (row?.first === null || row?.first === undefined) throw noConversation();
    if (!row.conversation || !row.added) throw new AppError(ErrorCode.ValidationFailed, 'parentId names no message in this conversation', { field: 'parentId' });
    const { conversation } = row;
    const byId = new Map(row.added.map((added) => [added.id, toDto(added)]));
    return {
      conversation: {
        id: conversation.id,
        title: conversation.title as string,
        pinned: conversation.pinned as boolean,
        archived: conversation.archived as boolean,
        model: conversation.model as string | null,
        createdAt: new Date(conversation.created_at as string),
        updatedAt: new Date(conversation.updated_at as string),
        activeAt: new Date(conversation.active_at as string),
      },
      question: byId.get(questionId)!,
      answer: byId.get(answerId)!,
      branch: branchTo(row.earlier ?? [], row.parent_id).map(toDto),
      first: row.first,
    };
  }

  /** Rewrites a streaming message (the batches of a long answer); once it has ended it is read-only. */
  async update(ownerId: string, conversationId: string, id: string, change: MessageChange): Promise<MessageDto> {
    const [row] = await queryPrepared<MessageRow>(
      this.dataSource,
      'messages.update',
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
    );
    if (row) return toDto(row);
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
