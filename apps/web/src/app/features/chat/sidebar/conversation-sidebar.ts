import { FocusKeyManager, type FocusableOption } from '@angular/cdk/a11y';
import { ChangeDetectionStrategy, Component, DestroyRef, Directive, ElementRef, Injector, afterNextRender, inject, input, output, signal, viewChild, viewChildren } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { Conversation } from '../chat.model';
import { highlight } from './conversation-groups';
import { ConversationList } from './conversation-list';

/** A conversation's link, as the list's keyboard navigation moves through them. */
@Directive({ selector: 'a[appConversationLink]' })
export class ConversationLinkDirective implements FocusableOption {
  readonly element = inject<ElementRef<HTMLAnchorElement>>(ElementRef).nativeElement;
  focus(): void {
    this.element.focus();
  }
}

/** How long typing in the search waits before it asks. */
const searchDelayMs = 250;

/**
 * The conversation list: New chat, search (matches highlighted), Today / Yesterday / Earlier
 * (pinned first), more pages as the list scrolls, and per conversation rename (inline), pin,
 * archive and delete, the last two with an Undo. Up and Down move through the list.
 */
@Component({
  selector: 'app-conversation-sidebar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, ConversationLinkDirective],
  template: `
    <nav class="sidebar" aria-label="Conversations">
      <button type="button" class="primary new" (click)="newChat.emit()" title="New chat (Ctrl+Shift+O)" aria-keyshortcuts="Control+Shift+O">New chat</button>
      <label class="visually-hidden" for="conversation-search">Search conversations</label>
      <input id="conversation-search" type="search" placeholder="Search conversations" [value]="list.query()" (input)="searchTyped($event)" data-testid="conversation-search" />
      <div class="views" role="group" aria-label="Which conversations">
        <button type="button" [attr.aria-pressed]="!list.archived()" (click)="list.showArchived(false)">Chats</button>
        <button type="button" [attr.aria-pressed]="list.archived()" (click)="list.showArchived(true)">Archived</button>
      </div>
      @if (list.error(); as error) {
        <p class="form-error" role="alert">{{ error }}</p>
      }
      <div class="groups" (keydown)="keydown($event)">
        @for (group of list.groups(); track group.label) {
          <h2 class="group">{{ group.label }}</h2>
          <ul>
            @for (item of group.items; track item.id) {
              <li [class.current]="item.id === currentId()" data-testid="conversation">
                @if (renaming() === item.id) {
                  <input
                    #rename
                    class="rename"
                    [value]="item.title"
                    aria-label="New title"
                    (keydown.enter)="saveRename(item, $event)"
                    (keydown.escape)="renaming.set(null)"
                    (blur)="saveRename(item, $event)"
                  />
                } @else {
                  <a appConversationLink [routerLink]="['/c', item.id]" [attr.aria-current]="item.id === currentId() ? 'page' : null" (dblclick)="startRename(item)">
                    @for (segment of titleSegments(item.title); track $index) {
                      @if (segment.match) {
                        <mark>{{ segment.text }}</mark>
                      } @else {
                        {{ segment.text }}
                      }
                    }
                  </a>
                  <span class="actions">
                    <button type="button" (click)="startRename(item)" [attr.aria-label]="'Rename ' + item.title" title="Rename"><svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 20h4L19 9l-4-4L4 16z" /></svg></button>
                    <button type="button" (click)="list.togglePin(item)" [attr.aria-label]="(item.pinned ? 'Unpin ' : 'Pin ') + item.title" [attr.aria-pressed]="item.pinned" title="Pin"><svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M9 4h6l-1 6 3 3H7l3-3zM12 13v7" /></svg></button>
                    <button type="button" (click)="archive(item)" [attr.aria-label]="(item.archived ? 'Restore ' : 'Archive ') + item.title" title="Archive"><svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M3 5h18v4H3zM5 9v10h14V9M10 13h4" /></svg></button>
                    <button type="button" (click)="remove(item)" [attr.aria-label]="'Delete ' + item.title" title="Delete"><svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13" /></svg></button>
                  </span>
                }
              </li>
            }
          </ul>
        } @empty {
          @if (list.loaded()) {
            <p class="empty">
              @if (list.query()) {
                Nothing matches “{{ list.query() }}”. Search finds words in titles and messages.
              } @else if (list.archived()) {
                No archived conversations.
              } @else {
                No conversations yet. Ask a question to start one.
              }
            </p>
          }
        }
        <div #more class="more" aria-hidden="true"></div>
        @if (list.hasMore()) {
          <button type="button" class="load-more" (click)="list.more()" [disabled]="list.loading()">More conversations</button>
        }
      </div>
      <div class="undo" role="status">
        @if (list.undoable(); as undoable) {
          <span>{{ undoable.message }}</span>
          <button #undo type="button" (click)="undoable.undo()" data-testid="undo">Undo</button>
        }
      </div>
    </nav>
  `,
  styles: `
    .sidebar { display: flex; flex-direction: column; gap: 0.5rem; block-size: 100%; min-block-size: 0; }
    .new { margin: 0; }
    .views { display: flex; gap: 0.3rem; }
    .views button { flex: 1; padding: 0.3rem; font-size: 0.875rem; }
    .views button[aria-pressed='true'] { border-color: var(--accent); font-weight: 600; }
    .groups { overflow-y: auto; flex: 1; min-block-size: 0; }
    .group { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--text-muted); margin: 0.8rem 0 0.2rem; }
    ul { list-style: none; margin: 0; padding: 0; }
    li { display: flex; align-items: center; gap: 0.2rem; border-radius: 0.4rem; }
    li.current { background: var(--bg); outline: 1px solid var(--border); }
    li a { flex: 1; min-inline-size: 0; padding: 0.35rem 0.5rem; color: var(--text); text-decoration: none; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    li a:focus-visible { outline: 2px solid var(--focus); }
    mark { background: var(--warn-bg); color: inherit; }
    .actions { display: flex; opacity: 0; }
    li:hover .actions, li:focus-within .actions, li.current .actions { opacity: 1; }
    .actions button { display: inline-grid; place-items: center; padding: 0.2rem; border: none; background: none; color: var(--text-muted); }
    .actions button:hover, .actions button[aria-pressed='true'] { color: var(--text); }
    .rename { flex: 1; }
    .empty { color: var(--text-muted); font-size: 0.9rem; }
    .more { block-size: 1px; }
    .load-more { inline-size: 100%; margin-block: 0.5rem; font-size: 0.875rem; }
    .undo { display: flex; gap: 0.5rem; align-items: center; min-block-size: 2rem; font-size: 0.875rem; }
    @media (hover: none) { .actions { opacity: 1; } }
  `,
})
export class ConversationSidebarComponent {
  protected readonly list = inject(ConversationList);
  readonly currentId = input<string | null>(null);
  readonly newChat = output<void>();

  protected readonly renaming = signal<string | null>(null);
  private readonly injector = inject(Injector);
  private readonly links = viewChildren(ConversationLinkDirective);
  private readonly renameBox = viewChild<ElementRef<HTMLInputElement>>('rename');
  private readonly undoButton = viewChild<ElementRef<HTMLButtonElement>>('undo');
  private readonly sentinel = viewChild.required<ElementRef<HTMLElement>>('more');
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    void this.list.ensureLoaded();
    const destroyRef = inject(DestroyRef);
    // More pages as the end of the list scrolls into view.
    afterNextRender(() => {
      if (typeof IntersectionObserver === 'undefined') return;
      const observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) void this.list.more();
      });
      observer.observe(this.sentinel().nativeElement);
      destroyRef.onDestroy(() => observer.disconnect());
    });
    destroyRef.onDestroy(() => clearTimeout(this.searchTimer));
  }

  protected titleSegments(title: string) {
    return highlight(title, this.list.query());
  }

  protected searchTyped(event: Event): void {
    const query = (event.target as HTMLInputElement).value;
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.list.search(query), searchDelayMs);
  }

  /** Up and Down (Home, End) move from the focused conversation to the next. */
  protected keydown(event: KeyboardEvent): void {
    const links = [...this.links()];
    const current = links.findIndex((link) => link.element === event.target);
    if (current < 0) return;
    const keys = new FocusKeyManager(links).withVerticalOrientation().withWrap().withHomeAndEnd();
    keys.updateActiveItem(current);
    keys.onKeydown(event);
    keys.destroy();
  }

  /** Deletes (after the Undo's time), and puts the keyboard on the Undo: the row it was on is gone. */
  protected remove(item: Conversation): void {
    this.list.remove(item);
    this.focusUndo();
  }

  protected async archive(item: Conversation): Promise<void> {
    await this.list.toggleArchive(item);
    this.focusUndo();
  }

  private focusUndo(): void {
    afterNextRender(() => this.undoButton()?.nativeElement.focus(), { injector: this.injector });
  }

  protected startRename(item: Conversation): void {
    this.renaming.set(item.id);
    afterNextRender(() => this.renameBox()?.nativeElement.select(), { injector: this.injector });
  }

  protected async saveRename(item: Conversation, event: Event): Promise<void> {
    if (this.renaming() !== item.id) return;
    event.preventDefault();
    this.renaming.set(null);
    const title = (event.target as HTMLInputElement).value.trim();
    if (title && title !== item.title) await this.list.rename(item.id, title);
  }
}
