import { DOCUMENT } from '@angular/common';
import { DestroyRef, Service, computed, inject, signal } from '@angular/core';
import { firstValueFrom, type Subscription } from 'rxjs';
import { problemMessage } from '../../core/problem';
import { type Answer, answerOfParts, applyTurnEvent, emptyAnswer } from './answer';
import { ChatApi } from './chat-api.service';
import type { Conversation, Message, Page, StartedTurn } from './chat.model';
import { ConversationList } from './sidebar/conversation-list';
import { choose, thread } from './thread';

/** The turn the page follows: its answer as the stream builds it. */
export interface LiveTurn {
  readonly turnId: string;
  /** The answer's message, from the turn's `start` event. */
  readonly messageId: string | null;
  readonly answer: Answer;
}

/** What one tab tells the others when it starts a turn. */
interface StartedElsewhere {
  readonly conversationId: string;
  readonly turnId: string;
}

const turnsChannel = 'dfc.turns';

export interface Outgoing {
  readonly content: string;
  readonly model?: string | null;
  readonly attachments?: string[];
}

/**
 * One open conversation: its messages, the branch shown, and the turn running in it. The owner of
 * what the chat view shows; the view only asks it to send, stop, regenerate, edit and answer
 * approvals. A running turn is followed from its start, so opening the conversation again (a
 * reload, a second tab) picks the stream up where it is.
 */
@Service({ autoProvided: false })
export class ChatSession {
  private readonly api = inject(ChatApi);
  private readonly list = inject(ConversationList);
  private following: Subscription | undefined;
  private opened = 0;

  readonly conversation = signal<Conversation | null>(null);
  readonly messages = signal<Message[]>([]);
  readonly chosen = signal<Record<string, string>>({});
  readonly live = signal<LiveTurn | null>(null);
  readonly loading = signal(false);
  /** What failed (loading, sending), in words; a turn's own errors are part of its answer. */
  readonly error = signal<string | null>(null);
  readonly entries = computed(() => thread(this.messages(), this.chosen()));
  readonly running = computed(() => this.live() !== null);

  /** Tells this browser's other tabs of a turn started here, so that one showing the conversation follows it at once. */
  private readonly tabs = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(turnsChannel);

  constructor() {
    const document = inject(DOCUMENT);
    // A tab that was in the background looks again when it comes back: another device may have started a turn.
    const visible = () => {
      if (document.visibilityState === 'visible') void this.catchUp();
    };
    document.addEventListener('visibilitychange', visible);
    this.tabs?.addEventListener('message', (event: MessageEvent<StartedElsewhere>) => {
      if (event.data.conversationId === this.conversation()?.id && this.live()?.turnId !== event.data.turnId) void this.join(event.data.turnId);
    });
    inject(DestroyRef).onDestroy(() => {
      this.following?.unsubscribe();
      this.tabs?.close();
      document.removeEventListener('visibilitychange', visible);
    });
  }

  /** Shows a conversation (null: a new chat), and follows its running turn if it has one. */
  async open(id: string | null): Promise<void> {
    const opened = ++this.opened;
    this.following?.unsubscribe();
    this.live.set(null);
    this.chosen.set({});
    this.error.set(null);
    if (id === null) {
      this.conversation.set(null);
      this.messages.set([]);
      return;
    }
    if (this.conversation()?.id !== id) this.messages.set([]);
    this.loading.set(true);
    try {
      const [conversation, messages, turns] = await Promise.all([firstValueFrom(this.api.conversation(id)), this.allMessages(id), firstValueFrom(this.api.turns(id))]);
      if (opened !== this.opened) return;
      this.conversation.set(conversation);
      this.messages.set(messages);
      const running = turns.filter((turn) => turn.status === 'running').at(-1);
      if (running) {
        this.chosen.set(choose({}, messages, running.messageId));
        this.follow(running.turnId, running.messageId);
      }
    } catch (error) {
      if (opened === this.opened) this.error.set(problemMessage(error));
    } finally {
      if (opened === this.opened) this.loading.set(false);
    }
  }

  /**
   * Sends a message in this conversation, creating it first for a new chat: after the last message
   * shown (the branch on screen goes on), or under `parentId` (an edit). Resolves with the
   * conversation, or null when sending failed.
   */
  async send(outgoing: Outgoing, parentId: string | null | undefined = this.entries().at(-1)?.message.id): Promise<Conversation | null> {
    this.error.set(null);
    try {
      const existing = this.conversation();
      const conversation = existing ?? (await firstValueFrom(this.api.create(outgoing.model ?? null)));
      this.conversation.set(conversation);
      const started = await firstValueFrom(this.api.send(conversation.id, { ...outgoing, ...(parentId !== undefined ? { parentId } : {}) }));
      await this.started(started);
      // The gateway titles a new conversation after its first message at once: the list shows that title.
      this.list.touched(existing ?? (await firstValueFrom(this.api.conversation(conversation.id)).catch(() => conversation)));
      return conversation;
    } catch (error) {
      this.error.set(problemMessage(error));
      return null;
    }
  }

  /** Sends a user message's new text as a sibling branch of it. */
  edit(message: Message, content: string): Promise<Conversation | null> {
    return this.send({ content }, message.parentId);
  }

  /** Answers a question again (given the question or one of its answers); the old answer stays, one click away. */
  async regenerate(message: Message): Promise<void> {
    this.error.set(null);
    try {
      await this.started(await firstValueFrom(this.api.regenerate(message.id)));
    } catch (error) {
      this.error.set(problemMessage(error));
    }
  }

  async stop(): Promise<void> {
    const live = this.live();
    if (!live) return;
    try {
      await firstValueFrom(this.api.cancel(live.turnId));
    } catch (error) {
      // The turn ended on its own meanwhile: its done event is on the way.
      this.error.set(problemMessage(error));
    }
  }

  async approve(toolCallId: string, decision: 'approve' | 'deny', remember?: 'conversation' | 'always'): Promise<void> {
    const live = this.live();
    if (!live) return;
    try {
      await firstValueFrom(this.api.approve(live.turnId, toolCallId, decision, remember));
    } catch (error) {
      this.error.set(problemMessage(error));
    }
  }

  /** Makes `model` the conversation's (a new chat is made with the model it is sent with). */
  async chooseModel(model: string | null): Promise<void> {
    const conversation = this.conversation();
    if (!conversation || conversation.model === model) return;
    try {
      this.conversation.set(await firstValueFrom(this.api.update(conversation.id, { model })));
    } catch (error) {
      this.error.set(`The model could not be kept for this conversation: ${problemMessage(error)}`);
    }
  }

  /** Shows another branch: one of `messageId`'s siblings. */
  show(messageId: string): void {
    this.chosen.set(choose(this.chosen(), this.messages(), messageId));
  }

  /** The answer to show for a message: the live one while its turn streams, else the saved one. */
  answerOf(message: Message): Answer {
    const live = this.live();
    return live && live.messageId === message.id ? live.answer : answerOfParts(message.parts, message.status);
  }

  /** A turn has started: the question and its empty answer are saved, so show them and follow the stream. */
  private async started({ turnId }: StartedTurn): Promise<void> {
    this.tabs?.postMessage({ conversationId: this.conversation()!.id, turnId } satisfies StartedElsewhere);
    await this.join(turnId);
  }

  /** The running turn of the open conversation, if there is one the page does not follow yet. */
  private async catchUp(): Promise<void> {
    const conversation = this.conversation();
    if (!conversation || this.live()) return;
    const running = (await firstValueFrom(this.api.turns(conversation.id)).catch(() => [])).filter((turn) => turn.status === 'running').at(-1);
    if (running && this.conversation()?.id === conversation.id && !this.live()) await this.join(running.turnId);
  }

  /** Shows the conversation as it now stands and follows the turn; its `start` event names the answer to show. */
  private async join(turnId: string): Promise<void> {
    this.following?.unsubscribe();
    this.live.set({ turnId, messageId: null, answer: emptyAnswer });
    this.messages.set(await this.allMessages(this.conversation()!.id));
    this.follow(turnId, null);
  }

  private follow(turnId: string, messageId: string | null): void {
    this.following?.unsubscribe();
    this.live.set({ turnId, messageId, answer: emptyAnswer });
    this.following = this.api.events(turnId).subscribe({
      next: ({ event }) => {
        const live = this.live();
        if (!live || live.turnId !== turnId) return;
        if (event.type === 'start') this.chosen.set(choose(this.chosen(), this.messages(), event.messageId));
        this.live.set({ ...live, messageId: event.type === 'start' ? event.messageId : live.messageId, answer: applyTurnEvent(live.answer, event, Date.now()) });
        if (event.type === 'done') void this.finished(turnId);
      },
      error: (error: unknown) => {
        this.error.set(`The answer’s stream was lost: ${problemMessage(error)}`);
        void this.finished(turnId);
      },
    });
  }

  /** The turn ended: the saved answer replaces the streamed one (the same, and now complete). */
  private async finished(turnId: string): Promise<void> {
    const conversation = this.conversation();
    if (!conversation) return;
    try {
      const messages = await this.allMessages(conversation.id);
      const live = this.live();
      if (live?.turnId !== turnId) return;
      this.messages.set(messages);
      if (live.messageId) this.chosen.set(choose(this.chosen(), messages, live.messageId));
    } catch {
      // The streamed answer stays shown.
    }
    if (this.live()?.turnId === turnId) this.live.set(null);
    const refreshed = await firstValueFrom(this.api.conversation(conversation.id)).catch(() => null);
    if (refreshed) {
      this.conversation.set(refreshed);
      this.list.touched(refreshed);
    }
  }

  private async allMessages(conversationId: string): Promise<Message[]> {
    const messages: Message[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<Message> = await firstValueFrom(this.api.messages(conversationId, cursor));
      messages.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return messages;
  }
}
