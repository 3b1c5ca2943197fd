import { HttpClient } from '@angular/common/http';
import { Service, type Signal, computed, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { API_BASE_URL } from './api-base-url.token';
import { apiUrl } from './api-url';
import { problemMessage } from './problem';

/** `GET /api/v1/models`: one configured chat model. None at all is direct mode. */
export interface ChatModel {
  readonly id: string;
  readonly label: string;
  readonly provider: string;
  readonly default: boolean;
}

export type Models = { readonly state: 'loading' } | { readonly state: 'loaded'; readonly models: readonly ChatModel[] } | { readonly state: 'failed'; readonly error: string };

/**
 * The configured models, asked for once by whichever page needs them first (the chat, its
 * welcome, Settings): they change only when an admin restarts the platform. A failed answer is
 * asked for again by the next page that needs it.
 */
@Service()
export class ModelsService {
  private readonly http = inject(HttpClient);
  private readonly url = apiUrl(inject(API_BASE_URL), '/api/v1/models');
  private readonly current = signal<Models>({ state: 'loading' });
  private asking: Promise<void> | null = null;

  /** Where the list stands; asks for it unless it is there or on its way. */
  models(): Signal<Models> {
    if (this.current().state !== 'loaded') this.asking ??= this.load();
    return this.current.asReadonly();
  }

  /** The models, or none until they are known. */
  readonly list = computed(() => {
    const models = this.current();
    return models.state === 'loaded' ? models.models : [];
  });

  private async load(): Promise<void> {
    try {
      this.current.set({ state: 'loaded', models: await firstValueFrom(this.http.get<ChatModel[]>(this.url)) });
    } catch (error) {
      this.current.set({ state: 'failed', error: problemMessage(error) });
    } finally {
      this.asking = null;
    }
  }
}
