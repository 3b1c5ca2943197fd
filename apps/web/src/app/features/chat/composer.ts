import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, computed, effect, inject, input, model, output, signal, untracked, viewChild } from '@angular/core';
import { draftKey } from '../../core/drafts';
import { formatSize } from '../../core/format';
import type { Upload } from '../files/files.model';
import { FilesService } from '../files/files.service';
import { UploadQueue } from '../files/upload-queue';
import type { ChatModel } from '../../core/models.service';

export interface Composed {
  readonly content: string;
  readonly attachments: string[];
}

/**
 * The message box: Enter sends, Shift+Enter starts a new line; files chosen or dropped upload at
 * once, each with a progress bar and a cancel, and go with the message. While a turn runs the
 * send button is Stop. The draft is kept in the tab's session storage until it is sent.
 */
@Component({
  selector: 'app-composer',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="composer" (submit)="submit($event)" aria-label="Message">
      @if (queue.sending().length) {
        <ul class="attachments" aria-label="Attached files">
          @for (item of queue.sending(); track item.key) {
            <li data-testid="attachment">
              <span class="name">{{ item.name }} <span class="size">{{ size(item.size) }}</span></span>
              @switch (item.state) {
                @case ('sending') {
                  <progress max="1" [value]="item.progress" [attr.aria-label]="'Uploading ' + item.name"></progress>
                  <button type="button" (click)="queue.cancel(item.key)" [attr.aria-label]="'Cancel uploading ' + item.name">Cancel</button>
                }
                @case ('failed') {
                  <span class="failed" role="alert">{{ item.error }}</span>
                  <button type="button" (click)="queue.dismiss(item.key)" [attr.aria-label]="'Remove ' + item.name">Remove</button>
                }
                @case ('cancelled') {
                  <span class="failed">Cancelled</span>
                  <button type="button" (click)="queue.dismiss(item.key)" [attr.aria-label]="'Remove ' + item.name">Remove</button>
                }
                @default {
                  <button type="button" (click)="queue.dismiss(item.key)" [attr.aria-label]="'Remove ' + item.name">×</button>
                }
              }
            </li>
          }
        </ul>
      }
      <label class="visually-hidden" for="message">Message</label>
      <textarea
        #box
        id="message"
        name="message"
        rows="2"
        [placeholder]="placeholder()"
        [value]="text()"
        (input)="typed($event)"
        (keydown.enter)="enter($event)"
        data-testid="composer-input"
      ></textarea>
      <div class="row">
        <input #picker type="file" multiple hidden (change)="chosen($event)" />
        <button type="button" (click)="picker.click()" aria-label="Attach files">Attach</button>
        @if (models().length > 1) {
          <label class="model">
            <span class="visually-hidden">Model</span>
            <select [value]="modelId() ?? ''" (change)="pickModel($event)" aria-label="Model">
              @for (option of models(); track option.id) {
                <option [value]="option.id">{{ option.label }}</option>
              }
            </select>
          </label>
        }
        <span class="spacer"></span>
        @if (running()) {
          <button type="button" class="primary" (click)="stop.emit()" data-testid="stop">Stop</button>
        } @else {
          <button type="submit" class="primary" [disabled]="!canSend()" data-testid="send">Send</button>
        }
      </div>
    </form>
  `,
  styles: `
    .composer { display: grid; gap: 0.5rem; padding: 0.6rem; background: var(--surface); border: 1px solid var(--border); border-radius: 0.75rem; }
    textarea { resize: vertical; min-block-size: 3rem; max-block-size: 40vh; padding: 0.5rem 0.7rem; }
    .row { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
    .row .primary { margin: 0; }
    .spacer { flex: 1; }
    .attachments { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.4rem; }
    .attachments li { display: flex; gap: 0.4rem; align-items: center; padding: 0.2rem 0.5rem; border: 1px solid var(--border); border-radius: 0.4rem; font-size: 0.875rem; }
    .attachments button { padding: 0.1rem 0.5rem; }
    .size { color: var(--text-muted); }
    .failed { color: var(--down); }
    select { padding: 0.4rem; }
  `,
})
export class ComposerComponent {
  /** The conversation the draft belongs to (null: a new chat). */
  readonly conversationId = input<string | null>(null);
  readonly running = input(false);
  readonly models = input<readonly ChatModel[]>([]);
  readonly modelId = model<string | null>(null);
  readonly placeholder = input('Ask about your data…');
  readonly sent = output<Composed>();
  readonly stop = output<void>();

  protected readonly queue = new UploadQueue(inject(FilesService));
  protected readonly text = signal('');
  protected readonly size = formatSize;
  private readonly box = viewChild.required<ElementRef<HTMLTextAreaElement>>('box');
  protected readonly canSend = computed(() => this.text().trim().length > 0 && !this.queue.sending().some((item) => item.state === 'sending'));

  constructor() {
    effect(() => {
      const key = draftKey(this.conversationId());
      untracked(() => this.text.set(sessionStorage.getItem(key) ?? ''));
    });
    inject(DestroyRef).onDestroy(() => this.queue.destroy());
  }

  /** Files dropped on the chat, or picked: they upload now and go with the next message. */
  attach(files: readonly File[]): void {
    this.queue.send(files);
  }

  /** An upload that exists already ("Ask about this file"). */
  attachUpload(upload: Upload): void {
    this.queue.add(upload);
  }

  focus(): void {
    this.box().nativeElement.focus();
  }

  protected typed(event: Event): void {
    const text = (event.target as HTMLTextAreaElement).value;
    this.text.set(text);
    const key = draftKey(this.conversationId());
    if (text) sessionStorage.setItem(key, text);
    else sessionStorage.removeItem(key);
  }

  protected enter(event: Event): void {
    if ((event as KeyboardEvent).shiftKey || (event as KeyboardEvent).isComposing) return;
    event.preventDefault();
    if (!this.running()) this.submit(event);
  }

  protected submit(event: Event): void {
    event.preventDefault();
    if (!this.canSend() || this.running()) return;
    const attachments = this.queue.sending().flatMap((item) => (item.state === 'done' && item.upload ? [item.upload.id] : []));
    this.sent.emit({ content: this.text().trim(), attachments });
  }

  /** After the message was taken: the box and the attachments are cleared, and so is the draft. */
  clear(): void {
    sessionStorage.removeItem(draftKey(this.conversationId()));
    sessionStorage.removeItem(draftKey(null));
    this.text.set('');
    this.queue.clear();
  }

  protected chosen(event: Event): void {
    const picker = event.target as HTMLInputElement;
    this.attach([...(picker.files ?? [])]);
    picker.value = '';
  }

  protected pickModel(event: Event): void {
    this.modelId.set((event.target as HTMLSelectElement).value || null);
  }
}
