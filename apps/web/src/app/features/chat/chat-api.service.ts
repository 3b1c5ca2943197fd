import { HttpClient } from '@angular/common/http';
import { Service, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import { API_BASE_URL } from '../../core/api-base-url.token';
import { apiUrl } from '../../core/api-url';
import type { Conversation, Message, Page, StartedTurn, StreamedTurnEvent, TurnSummary } from './chat.model';
import { followTurn } from './turn-stream';

export interface ConversationQuery {
  readonly cursor?: string | null;
  readonly q?: string;
  readonly archived?: boolean;
}

export type ConversationChange = Partial<Pick<Conversation, 'title' | 'pinned' | 'archived' | 'model'>>;

/** The chat routes of `/api/v1`: conversations, their messages, turns and their events. */
@Service()
export class ChatApi {
  private readonly http = inject(HttpClient);
  private readonly base = inject(API_BASE_URL);

  conversations({ cursor, q, archived }: ConversationQuery = {}): Observable<Page<Conversation>> {
    return this.http.get<Page<Conversation>>(this.url('/conversations'), {
      params: { limit: 30, ...(cursor ? { cursor } : {}), ...(q ? { q } : {}), ...(archived ? { archived: true } : {}) },
    });
  }

  conversation(id: string): Observable<Conversation> {
    return this.http.get<Conversation>(this.url(`/conversations/${id}`));
  }

  create(model: string | null): Observable<Conversation> {
    return this.http.post<Conversation>(this.url('/conversations'), model ? { model } : {});
  }

  update(id: string, change: ConversationChange): Observable<Conversation> {
    return this.http.patch<Conversation>(this.url(`/conversations/${id}`), change);
  }

  /** `keepalive`: the request outlives the page (sent as the page goes away). */
  delete(id: string, keepalive = false): Observable<void> {
    return this.http.delete<void>(this.url(`/conversations/${id}`), keepalive ? { keepalive } : {});
  }

  /** One page of messages, oldest first (500 is the most a page holds). */
  messages(conversationId: string, cursor?: string | null): Observable<Page<Message>> {
    return this.http.get<Page<Message>>(this.url(`/conversations/${conversationId}/messages`), { params: { limit: 500, ...(cursor ? { cursor } : {}) } });
  }

  turns(conversationId: string): Observable<TurnSummary[]> {
    return this.http.get<TurnSummary[]>(this.url(`/conversations/${conversationId}/turns`));
  }

  /** Sends a message; `parentId` (null: a new first message) makes it an edit's branch. */
  send(conversationId: string, message: { content: string; model?: string | null; attachments?: string[]; parentId?: string | null }): Observable<StartedTurn> {
    const { model, attachments, parentId, content } = message;
    return this.http.post<StartedTurn>(this.url(`/conversations/${conversationId}/messages`), {
      content,
      ...(model ? { model } : {}),
      ...(attachments?.length ? { attachments } : {}),
      ...(parentId !== undefined ? { parentId } : {}),
    });
  }

  regenerate(messageId: string): Observable<StartedTurn> {
    return this.http.post<StartedTurn>(this.url(`/messages/${messageId}/regenerate`), {});
  }

  cancel(turnId: string): Observable<unknown> {
    return this.http.post(this.url(`/turns/${turnId}/cancel`), null);
  }

  approve(turnId: string, toolCallId: string, decision: 'approve' | 'deny', remember?: 'conversation' | 'always'): Observable<unknown> {
    return this.http.post(this.url(`/turns/${turnId}/approvals`), { toolCallId, decision, ...(remember ? { remember } : {}) });
  }

  events(turnId: string, lastEventId?: string): Observable<StreamedTurnEvent> {
    return followTurn(this.http, this.url(`/turns/${turnId}/events`), lastEventId ? { lastEventId } : {});
  }

  private url(path: string): string {
    return apiUrl(this.base, `/api/v1${path}`);
  }
}
