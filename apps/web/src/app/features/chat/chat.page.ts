import { messageText } from '@dataflow/shared/browser';
import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, afterNextRender, computed, effect, inject, input, signal, untracked, viewChild } from '@angular/core';
import { Router } from '@angular/router';
import { provideMarkdown } from 'ngx-markdown';
import { firstValueFrom } from 'rxjs';
import { ModelsService } from '../../core/models.service';
import { PreferencesService } from '../../core/preferences.service';
import { problemMessage } from '../../core/problem';
import { FilesService } from '../files/files.service';
import { HomePage } from '../home/home.page';
import { AnswerViewComponent } from './answer/answer-view';
import type { ApprovalDecision } from './answer/tool-card';
import type { Message } from './chat.model';
import { ChatSession } from './chat-session';
import { type Composed, ComposerComponent } from './composer';
import { ConversationSidebarComponent } from './sidebar/conversation-sidebar';

/** The chat: the conversation list beside the open conversation, its branch of messages, and the message box. `/` is a new chat, `/c/:id` a conversation. */
@Component({
  selector: 'app-chat-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  // Markdown's parser comes with the chat's chunk, not the app's first load.
  providers: [ChatSession, provideMarkdown()],
  imports: [ConversationSidebarComponent, ComposerComponent, AnswerViewComponent, HomePage],
  host: {
    '(document:keydown)': 'shortcut($event)',
    '(dragover)': 'dragging($event, true)',
    '(dragleave)': 'dragging($event, false)',
    '(drop)': 'dropped($event)',
    '[class.drag-over]': 'dragOver()',
  },
  templateUrl: './chat.page.html',
  styleUrl: './chat.page.css',
})
export class ChatPage {
  protected readonly session = inject(ChatSession);
  private readonly files = inject(FilesService);
  private readonly router = inject(Router);
  private readonly preferences = inject(PreferencesService);

  /** From the route: the conversation shown (`/c/:id`), or none for a new chat. */
  readonly id = input<string | undefined>(undefined);
  /** `?attach=<upload id>`: "Ask about this file" starts a chat with the file attached. */
  readonly attach = input<string | undefined>(undefined);
  /** `?welcome=1` after the first-run setup. */
  readonly welcome = input(false, { transform: (value: unknown) => value === true || value === '1' || value === 'true' });

  private readonly composer = viewChild.required(ComposerComponent);
  private readonly transcript = viewChild.required<ElementRef<HTMLElement>>('transcript');
  private readonly content = viewChild.required<ElementRef<HTMLElement>>('content');
  private readonly destroyRef = inject(DestroyRef);
  private readonly configured = inject(ModelsService);
  protected readonly models = this.configured.list;
  protected readonly model = signal<string | null>(null);
  protected readonly dragOver = signal(false);
  protected readonly editing = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  /** On a phone, the conversation list is folded away until asked for. */
  protected readonly listOpen = signal(false);
  protected readonly title = computed(() => this.session.conversation()?.title ?? 'New chat');
  /** For screen readers, the turn's course in a word or two (the streamed text itself is not announced as it grows). */
  protected readonly status = computed(() => {
    const live = this.session.live();
    if (live) return live.answer.blocks.some((block) => block.kind === 'tool' && block.state === 'approval') ? 'A tool is waiting for your approval.' : 'Answering…';
    const last = this.session.entries().at(-1)?.message;
    if (last?.role !== 'assistant') return '';
    return { complete: 'Answered.', cancelled: 'Stopped.', error: 'The answer failed.', streaming: 'Answering…' }[last.status];
  });

  constructor() {
    this.configured.models();
    effect(() => {
      const id = this.id() ?? null;
      untracked(() => {
        this.listOpen.set(false);
        if (this.session.conversation()?.id === id && id !== null) return;
        this.editing.set(null);
        void this.session.open(id);
      });
    });
    // The model: the conversation's, else this browser's default, else the instance's default.
    effect(() => {
      const models = this.models();
      const remembered = this.session.conversation()?.model ?? this.preferences.defaultModel();
      untracked(() => this.model.set(models.find((candidate) => candidate.id === remembered)?.id ?? models.find((candidate) => candidate.default)?.id ?? models[0]?.id ?? null));
    });
    effect(() => {
      const uploadId = this.attach();
      if (uploadId) untracked(() => void this.attachUpload(uploadId));
    });
    // Follow the conversation as it grows (text, cards, a chart drawn late), while the reader is at its end.
    afterNextRender(() => {
      if (typeof ResizeObserver === 'undefined') return;
      const observer = new ResizeObserver(() => {
        if (this.pinned) this.scrollToEnd();
      });
      observer.observe(this.content().nativeElement);
      this.destroyRef.onDestroy(() => observer.disconnect());
    });
  }

  /** Whether the transcript follows what comes: until the reader scrolls up, and again once they are back at the end. */
  private pinned = true;
  /** Where the page last scrolled the transcript to itself, to tell the reader's scrolling from its own. */
  private autoTop = 0;

  protected scrolled(): void {
    const element = this.transcript().nativeElement;
    if (element.scrollHeight - element.scrollTop - element.clientHeight < 80) this.pinned = true;
    else if (element.scrollTop < this.autoTop - 4) this.pinned = false;
  }

  private scrollToEnd(): void {
    const element = this.transcript().nativeElement;
    element.scrollTop = element.scrollHeight;
    this.autoTop = element.scrollTop;
  }

  protected async send(composed: Composed): Promise<void> {
    this.pinned = true;
    const conversation = await this.session.send({ content: composed.content, attachments: composed.attachments, model: this.model() });
    if (!conversation) return;
    this.composer().clear();
    if (this.id() !== conversation.id) await this.router.navigate(['/c', conversation.id]);
  }

  protected async saveEdit(message: Message, event: Event): Promise<void> {
    event.preventDefault();
    const content = (new FormData(event.target as HTMLFormElement).get('content') as string | null)?.trim();
    if (!content) return;
    this.editing.set(null);
    await this.session.edit(message, content);
  }

  /** A model picked in a conversation is the conversation's from then on (a new chat starts with it). */
  protected pickModel(id: string | null): void {
    this.model.set(id);
    void this.session.chooseModel(id);
  }

  protected decide(decision: ApprovalDecision): void {
    void this.session.approve(decision.toolCallId, decision.decision, decision.remember);
  }

  protected newChat(): void {
    void this.router.navigate(['/']);
    if (!this.id()) void this.session.open(null);
    this.composer().focus();
  }

  protected textOf(message: Message): string {
    return messageText(message.parts);
  }

  protected filesOf(message: Message): string[] {
    return message.parts.flatMap((part) => (part.type === 'file' ? [part.name] : []));
  }

  /** Ctrl+Shift+O (⌘⇧O): a new chat, as in other chat apps. */
  protected shortcut(event: KeyboardEvent): void {
    if ((event.ctrlKey || event.metaKey) && event.shiftKey && event.key.toLowerCase() === 'o') {
      event.preventDefault();
      this.newChat();
    }
  }

  protected dragging(event: DragEvent, over: boolean): void {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    this.dragOver.set(over);
  }

  protected dropped(event: DragEvent): void {
    if (!event.dataTransfer?.files.length) return;
    event.preventDefault();
    this.dragOver.set(false);
    this.composer().attach([...event.dataTransfer.files]);
  }

  private async attachUpload(uploadId: string): Promise<void> {
    try {
      this.composer().attachUpload(await firstValueFrom(this.files.detail(uploadId)));
      this.composer().focus();
    } catch (error) {
      this.notice.set(`The file could not be attached: ${problemMessage(error)}`);
    }
  }
}
