import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError, decodeCursor, encodeCursor, ErrorCode, foreignCursor, type Page } from '@dataflow/shared';
import { Conversation } from './conversation.entity.js';

export interface ConversationListing {
  limit: number;
  cursor?: string;
  q?: string;
  archived?: boolean;
}

/** A cursor's key: the last row's `active_at` as Postgres wrote it (microseconds kept) and its id. */
const activeKeyPattern = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function cursorKey(cursor: string): [string, string] {
  const key = decodeCursor(cursor, 2);
  if (!key || typeof key[0] !== 'string' || typeof key[1] !== 'string' || !activeKeyPattern.test(key[0]) || !uuidPattern.test(key[1])) {
    throw foreignCursor();
  }
  return [key[0], key[1]];
}

@Injectable()
export class ConversationsRepository {
  constructor(@InjectRepository(Conversation) private readonly conversations: Repository<Conversation>) {}

  create(ownerId: string, title: string, model: string | null): Promise<Conversation> {
    return this.conversations.save(this.conversations.create({ ownerId, title, model }));
  }

  /**
   * The owner's conversations, most recently active first, a page at a time; archived ones only
   * when asked for. With `q`, those whose title or any message matches it (web-search syntax).
   */
  async list(ownerId: string, listing: ConversationListing): Promise<Page<Conversation>> {
    const parameters: unknown[] = [ownerId, listing.archived ?? false, listing.limit + 1];
    const conditions = ['owner_id = $1', 'deleted_at IS NULL', 'archived = $2'];
    if (listing.cursor !== undefined) {
      parameters.push(...cursorKey(listing.cursor));
      conditions.push(`(active_at, id) < ($${parameters.length - 1}::timestamptz, $${parameters.length}::uuid)`);
    }
    if (listing.q !== undefined) {
      parameters.push(listing.q);
      const query = `websearch_to_tsquery('english', $${parameters.length})`;
      conditions.push(`(c.search @@ ${query} OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.search @@ ${query}))`);
    }
    const rows = (await this.conversations.manager.query(
      `SELECT id, title, pinned, archived, model, owner_id AS "ownerId", created_at AS "createdAt", updated_at AS "updatedAt", active_at AS "activeAt", active_at::text AS "activeKey"
       FROM conversations c WHERE ${conditions.join(' AND ')}
       ORDER BY active_at DESC, id DESC LIMIT $3`,
      parameters,
    )) as (Conversation & { activeKey: string })[];
    const items = rows.slice(0, listing.limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > listing.limit && last ? encodeCursor([last.activeKey, last.id]) : null };
  }

  /** The owner's conversation, not deleted; another user's is not found, so that it does not leak. */
  async get(ownerId: string, id: string): Promise<Conversation> {
    const conversation = await this.conversations.findOne({ where: { id, ownerId } });
    if (!conversation) throw new AppError(ErrorCode.NotFound, 'There is no such conversation');
    return conversation;
  }

  /** Changes the fields given; a null model forgets the remembered one. */
  async update(ownerId: string, id: string, change: { title?: string; pinned?: boolean; archived?: boolean; model?: string | null }): Promise<Conversation> {
    const conversation = await this.get(ownerId, id);
    Object.assign(conversation, Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)));
    return this.conversations.save(conversation);
  }

  async softDelete(ownerId: string, id: string): Promise<void> {
    const result = await this.conversations.softDelete({ id, ownerId });
    if (!result.affected) throw new AppError(ErrorCode.NotFound, 'There is no such conversation');
  }

  /** Removes conversations deleted more than `days` ago, for good; returns how many. */
  async purgeDeleted(days: number): Promise<number> {
    const result = await this.conversations.manager.query(`DELETE FROM conversations WHERE deleted_at < now() - make_interval(days => $1)`, [days]);
    return (result as [unknown[], number])[1] ?? 0;
  }
}
