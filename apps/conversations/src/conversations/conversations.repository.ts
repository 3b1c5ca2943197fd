import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError, ErrorCode } from '@dataflow/shared';
import { Conversation } from './conversation.entity.js';

@Injectable()
export class ConversationsRepository {
  constructor(@InjectRepository(Conversation) private readonly conversations: Repository<Conversation>) {}

  create(ownerId: string, title: string): Promise<Conversation> {
    return this.conversations.save(this.conversations.create({ ownerId, title }));
  }

  listNewest(ownerId: string, limit: number): Promise<Conversation[]> {
    return this.conversations.find({ where: { ownerId }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit });
  }

  /** The owner's conversation, not deleted; another user's is not found, so that it does not leak. */
  async get(ownerId: string, id: string): Promise<Conversation> {
    const conversation = await this.conversations.findOne({ where: { id, ownerId } });
    if (!conversation) throw new AppError(ErrorCode.NotFound, 'There is no such conversation');
    return conversation;
  }

  async update(ownerId: string, id: string, change: { title?: string; pinned?: boolean; archived?: boolean }): Promise<Conversation> {
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
