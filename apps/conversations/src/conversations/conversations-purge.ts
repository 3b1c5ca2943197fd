import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { conversationPurgeDays } from '@dataflow/shared';
import { ConversationsRepository } from './conversations.repository.js';

const everyMs = 60 * 60 * 1000;

/** Deletes for good the conversations soft-deleted more than 30 days ago: at start, then hourly. Replicas may overlap; the delete is idempotent. */
@Injectable()
export class ConversationsPurge implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ConversationsPurge');
  private timer?: NodeJS.Timeout;

  constructor(private readonly conversations: ConversationsRepository) {}

  onApplicationBootstrap(): void {
    void this.purge();
    this.timer = setInterval(() => void this.purge(), everyMs).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async purge(): Promise<number> {
    try {
      const purged = await this.conversations.purgeDeleted(conversationPurgeDays);
      if (purged > 0) this.logger.log({ purged }, 'deleted conversations purged');
      return purged;
    } catch (error) {
      this.logger.warn({ err: error }, 'could not purge deleted conversations; will try again');
      return 0;
    }
  }
}
