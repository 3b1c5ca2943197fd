import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
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
}
