import { DatePipe } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { API_BASE_URL } from '../../core/api-base-url.token';
import { apiUrl } from '../../core/api-url';
import { problemMessage } from '../../core/problem';
import { type ToolGrant, toolParts } from './settings.model';

/**
 * The tools that run without asking (`GET /api/v1/tool-grants`): always, or in one conversation
 * (named by its title), each with a Revoke, after which the tool asks for approval again.
 */
@Component({
  selector: 'app-tool-grants-section',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe],
  styleUrl: './settings.css',
  template: `
    <section class="card" aria-labelledby="grants-title">
      <h2 id="grants-title">Allowed tools</h2>
      <p class="hint">Before a tool that changes something runs, the chat asks you to approve it. The tools you allowed without asking again are listed here.</p>
      @if (error()) {
        <p class="form-error" role="alert">{{ error() }}</p>
      }
      @if (loaded() && !grants().length) {
        <p data-testid="no-grants">
          No tool runs without asking. To stop being asked about a tool, choose <strong>Always allow</strong> when the chat asks you to approve
          it (or allow it for that conversation only); it then shows up here, to revoke when you like.
        </p>
      }
      @if (always().length) {
        <h3>Always</h3>
        <ul class="keys">
          @for (grant of always(); track grant.id) {
            <li data-testid="grant" [attr.data-tool]="grant.tool">
              <strong>{{ parts(grant).tool }}</strong>
              <span class="hint">{{ parts(grant).server ? 'on ' + parts(grant).server + ' · ' : '' }}in every conversation · since {{ grant.createdAt | date: 'mediumDate' }}</span>
              <button type="button" (click)="revoke(grant)" [attr.aria-label]="'Revoke ' + grant.tool + ' in every conversation'">Revoke</button>
            </li>
          }
        </ul>
      }
      @if (inConversations().length) {
        <h3>In one conversation</h3>
        <ul class="keys">
          @for (grant of inConversations(); track grant.id) {
            <li data-testid="grant" [attr.data-tool]="grant.tool">
              <strong>{{ parts(grant).tool }}</strong>
              <span class="hint">{{ parts(grant).server ? 'on ' + parts(grant).server + ' · ' : '' }}only in {{ conversationName(grant) }} · since {{ grant.createdAt | date: 'mediumDate' }}</span>
              <button type="button" (click)="revoke(grant)" [attr.aria-label]="'Revoke ' + grant.tool + ' in ' + conversationName(grant)">Revoke</button>
            </li>
          }
        </ul>
      }
      <p class="saved" role="status">{{ revoked() }}</p>
    </section>
  `,
})
export class ToolGrantsSection {
  private readonly http = inject(HttpClient);
  private readonly base = inject(API_BASE_URL);
  private readonly url = apiUrl(this.base, '/api/v1/tool-grants');

  protected readonly grants = signal<readonly ToolGrant[]>([]);
  protected readonly loaded = signal(false);
  protected readonly error = signal('');
  protected readonly revoked = signal('');
  /** Conversation titles by id, for the grants that hold in one conversation. */
  private readonly titles = signal<ReadonlyMap<string, string>>(new Map());
  protected readonly always = computed(() => this.grants().filter((grant) => grant.conversationId === null));
  protected readonly inConversations = computed(() => this.grants().filter((grant) => grant.conversationId !== null));
  protected readonly parts = (grant: ToolGrant) => toolParts(grant.tool);

  constructor() {
    void this.load();
  }

  protected conversationName(grant: ToolGrant): string {
    const title = grant.conversationId ? this.titles().get(grant.conversationId) : undefined;
    return title ? `“${title}”` : 'one conversation';
  }

  private async load(): Promise<void> {
    try {
      this.grants.set(await firstValueFrom(this.http.get<ToolGrant[]>(this.url)));
    } catch (error) {
      this.error.set(`Your allowed tools cannot be listed: ${problemMessage(error)}`);
    } finally {
      this.loaded.set(true);
    }
    await this.loadTitles();
  }

  /** Each conversation's title, asked once; a conversation that cannot be read keeps a plain name. */
  private async loadTitles(): Promise<void> {
    const ids = [...new Set(this.inConversations().map((grant) => grant.conversationId!))];
    const found = await Promise.all(
      ids.map((id) =>
        firstValueFrom(this.http.get<{ id: string; title: string }>(apiUrl(this.base, `/api/v1/conversations/${id}`))).then(
          (conversation) => [id, conversation.title] as const,
          () => undefined,
        ),
      ),
    );
    this.titles.set(new Map(found.filter((entry) => entry !== undefined)));
  }

  protected async revoke(grant: ToolGrant): Promise<void> {
    this.error.set('');
    try {
      await firstValueFrom(this.http.delete<void>(`${this.url}/${grant.id}`));
      this.grants.update((grants) => grants.filter((item) => item.id !== grant.id));
      this.revoked.set(`${grant.tool} asks for approval again ${grant.conversationId ? `in ${this.conversationName(grant)}` : 'in every conversation'}.`);
    } catch (error) {
      this.error.set(`${grant.tool} was not revoked: ${problemMessage(error)}`);
    }
  }
}
