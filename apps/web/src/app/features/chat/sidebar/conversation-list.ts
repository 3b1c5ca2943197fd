import { DOCUMENT } from '@angular/common';
import { DestroyRef, Service, computed, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { SessionService } from '../../../core/auth/session.service';
import { problemMessage } from '../../../core/problem';
import { ChatApi } from '../chat-api.service';
import type { Conversation } from '../chat.model';
import { groupConversations } from './conversation-groups';

/** What failed, then why, in the gateway's words. */
const failed = (what: string, error: unknown) => `${what} ${problemMessage(error)}`;

/** An action that can still be taken back, with the words that say what it did. */
export interface Undoable {
  readonly message: string;
  readonly undo: () => void;
}

/** How long a deletion can be undone: it is sent to the gateway only then. */
export const undoWindowMs = 6000;

/**
 * The sidebar's conversations: the owner of the list the person sees, its search and its pages,
 * and of the changes made from it (rename, pin, archive, delete with undo). The chat view tells
 * it of a conversation it created or that moved to the top.
 */
@Service()
export class ConversationList {
  private readonly api = inject(ChatApi);
  private readonly list = signal<Conversation[]>([]);
  private readonly cursor = signal<string | null>(null);
  private readonly session = inject(SessionService);
  /** Deletions still within their Undo, each to send at once if the page goes away. */
  private readonly pendingDeletes = new Map<string, () => void>();
  /** Whose conversations the list holds: another person signing in, in this tab, starts afresh. */
  private owner: string | null = null;
  private loads = 0;

  readonly items = this.list.asReadonly();
  readonly query = signal('');
  readonly archived = signal(false);
  readonly loading = signal(false);
  readonly loaded = signal(false);
  readonly error = signal<string | null>(null);
  readonly hasMore = computed(() => this.cursor() !== null);
  readonly groups = computed(() => groupConversations(this.list(), new Date()));
  /** The last deletion or archiving, while it can be undone. */
  readonly undoable = signal<Undoable | null>(null);

  constructor() {
    const window = inject(DOCUMENT).defaultView;
    const leaving = () => [...this.pendingDeletes.values()].forEach((send) => send());
    window?.addEventListener('pagehide', leaving);
    inject(DestroyRef).onDestroy(() => window?.removeEventListener('pagehide', leaving));
  }

  /** Loads the list unless it is loaded, for the person signed in now. */
  ensureLoaded(): Promise<void> {
    const user = this.session.user()?.id ?? null;
    if (this.loaded() && this.owner === user) return Promise.resolve();
    this.owner = user;
    this.list.set([]);
    this.cursor.set(null);
    this.query.set('');
    this.archived.set(false);
    this.undoable.set(null);
    this.loaded.set(false);
    return this.reload();
  }

  /** The first page for the current search and view; a newer load wins over an older one. */
  async reload(): Promise<void> {
    const load = ++this.loads;
    this.loading.set(true);
    try {
      const page = await firstValueFrom(this.api.conversations({ q: this.query().trim(), archived: this.archived() }));
      if (load !== this.loads) return;
      this.list.set(page.items);
      this.cursor.set(page.nextCursor);
      this.error.set(null);
      this.loaded.set(true);
    } catch (error) {
      if (load === this.loads) this.error.set(failed('The conversations could not be loaded.', error));
    } finally {
      if (load === this.loads) this.loading.set(false);
    }
  }

  /** The next page, for the infinite scroll. */
  async more(): Promise<void> {
    const cursor = this.cursor();
    if (!cursor || this.loading()) return;
    const load = this.loads;
    this.loading.set(true);
    try {
      const page = await firstValueFrom(this.api.conversations({ cursor, q: this.query().trim(), archived: this.archived() }));
      if (load !== this.loads) return;
      const known = new Set(this.list().map((item) => item.id));
      this.list.update((items) => [...items, ...page.items.filter((item) => !known.has(item.id))]);
      this.cursor.set(page.nextCursor);
    } catch (error) {
      this.error.set(failed('More conversations could not be loaded.', error));
    } finally {
      if (load === this.loads) this.loading.set(false);
    }
  }

  search(query: string): Promise<void> {
    this.query.set(query);
    return this.reload();
  }

  showArchived(archived: boolean): Promise<void> {
    this.archived.set(archived);
    return this.reload();
  }

  /** A conversation that is new, renamed or was just active: at the top of the list (unless a search or the archive is shown). */
  touched(conversation: Conversation): void {
    const rest = this.list().filter((item) => item.id !== conversation.id);
    if (this.query().trim() || this.archived()) {
      if (rest.length !== this.list().length) this.list.set(this.list().map((item) => (item.id === conversation.id ? conversation : item)));
      return;
    }
    this.list.set([conversation, ...rest]);
  }

  async rename(id: string, title: string): Promise<void> {
    const trimmed = title.trim();
    if (!trimmed) return;
    await this.change(id, { title: trimmed }, 'The conversation could not be renamed.');
  }

  async togglePin(conversation: Conversation): Promise<void> {
    await this.change(conversation.id, { pinned: !conversation.pinned }, 'The conversation could not be pinned.');
  }

  /** Archives (or, in the archive, restores) a conversation: it leaves the list shown, with an Undo. */
  async toggleArchive(conversation: Conversation): Promise<void> {
    const archived = !conversation.archived;
    const index = this.list().findIndex((item) => item.id === conversation.id);
    try {
      await firstValueFrom(this.api.update(conversation.id, { archived }));
    } catch (error) {
      this.error.set(failed('The conversation could not be archived.', error));
      return;
    }
    this.list.update((items) => items.filter((item) => item.id !== conversation.id));
    this.offerUndo(`${archived ? 'Archived' : 'Restored'} “${conversation.title}”`, () => {
      void firstValueFrom(this.api.update(conversation.id, { archived: !archived })).then(
        (restored) => this.reinsert(restored, index),
        (error: unknown) => this.error.set(failed('That could not be undone.', error)),
      );
    });
  }

  /**
   * Takes a conversation off the list at once, and deletes it once the Undo is no longer offered,
   * or as the page goes away (a request that outlives the page), whichever comes first.
   */
  remove(conversation: Conversation): void {
    const index = this.list().findIndex((item) => item.id === conversation.id);
    this.list.update((items) => items.filter((item) => item.id !== conversation.id));
    const send = (keepalive: boolean) => {
      clearTimeout(timer);
      this.pendingDeletes.delete(conversation.id);
      void firstValueFrom(this.api.delete(conversation.id, keepalive)).catch((error: unknown) => {
        this.reinsert(conversation, index);
        this.error.set(failed(`“${conversation.title}” could not be deleted.`, error));
      });
    };
    const timer = setTimeout(() => send(false), undoWindowMs);
    this.pendingDeletes.set(conversation.id, () => send(true));
    this.offerUndo(`Deleted “${conversation.title}”`, () => {
      clearTimeout(timer);
      this.pendingDeletes.delete(conversation.id);
      this.reinsert(conversation, index);
    });
  }

  private offerUndo(message: string, undo: () => void): void {
    const offer: Undoable = {
      message,
      undo: () => {
        if (this.undoable() === offer) this.undoable.set(null);
        undo();
      },
    };
    this.undoable.set(offer);
    setTimeout(() => {
      if (this.undoable() === offer) this.undoable.set(null);
    }, undoWindowMs);
  }

  private reinsert(conversation: Conversation, index: number): void {
    this.list.update((items) => {
      const rest = items.filter((item) => item.id !== conversation.id);
      return [...rest.slice(0, Math.max(0, index)), conversation, ...rest.slice(Math.max(0, index))];
    });
  }

  private async change(id: string, change: Parameters<ChatApi['update']>[1], failure: string): Promise<void> {
    try {
      const updated = await firstValueFrom(this.api.update(id, change));
      this.list.update((items) => items.map((item) => (item.id === id ? updated : item)));
    } catch (error) {
      this.error.set(failed(failure, error));
    }
  }
}
