import { DatePipe } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { firstValueFrom } from 'rxjs';
import { API_BASE_URL } from '../../core/api-base-url.token';
import { apiUrl } from '../../core/api-url';
import { SessionService } from '../../core/auth/session.service';
import { problemMessage } from '../../core/problem';
import { type ApiKey, type ApiKeyScope, apiKeyScopes, type CreatedApiKey, scopeDescriptions } from './api-keys.model';

/** The caller's API keys: create one (shown once, with a copy button), list them, revoke one. */
@Component({
  selector: 'app-api-keys-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, ReactiveFormsModule],
  templateUrl: './api-keys.page.html',
})
export class ApiKeysPage {
  private readonly http = inject(HttpClient);
  private readonly base = apiUrl(inject(API_BASE_URL), '/api/v1/api-keys');
  private readonly session = inject(SessionService);

  protected readonly keys = signal<readonly ApiKey[]>([]);
  protected readonly loaded = signal(false);
  protected readonly created = signal<CreatedApiKey | null>(null);
  protected readonly copied = signal(false);
  protected readonly error = signal('');
  protected readonly busy = signal(false);
  protected readonly descriptions = scopeDescriptions;
  /** The scopes the caller may give: admin only to an admin's keys. */
  protected readonly scopes = computed(() => apiKeyScopes.filter((scope) => scope !== 'admin' || this.session.user()?.role === 'admin'));
  protected readonly form = inject(FormBuilder).nonNullable.group({
    name: ['', [Validators.required, Validators.maxLength(100)]],
    scopes: [['conversations:read', 'chat'] as ApiKeyScope[]],
    expiresAt: [''],
  });

  constructor() {
    void this.load();
  }

  protected async load(): Promise<void> {
    try {
      this.keys.set(await firstValueFrom(this.http.get<ApiKey[]>(this.base)));
    } catch (error) {
      this.error.set(`Your keys cannot be listed: ${problemMessage(error)}`);
    } finally {
      this.loaded.set(true);
    }
  }

  protected toggleScope(scope: ApiKeyScope, event: Event): void {
    const on = (event.target as HTMLInputElement).checked;
    const scopes = this.form.controls.scopes.value;
    this.form.controls.scopes.setValue(on ? [...scopes, scope] : scopes.filter((item) => item !== scope));
  }

  protected async create(): Promise<void> {
    const { name, scopes, expiresAt } = this.form.getRawValue();
    if (!name.trim()) return this.error.set('Name the key, to know it again in this list.');
    if (!scopes.length) return this.error.set('Choose at least one thing the key may do.');
    this.busy.set(true);
    this.error.set('');
    try {
      const body = { name: name.trim(), scopes, ...(expiresAt ? { expiresAt: new Date(`${expiresAt}T23:59:59`).toISOString() } : {}) };
      const created = await firstValueFrom(this.http.post<CreatedApiKey>(this.base, body));
      this.created.set(created);
      this.copied.set(false);
      this.keys.update((keys) => [created.apiKey, ...keys]);
      this.form.reset();
    } catch (error) {
      this.error.set(problemMessage(error));
    } finally {
      this.busy.set(false);
    }
  }

  protected async copy(key: string): Promise<void> {
    await navigator.clipboard.writeText(key).then(
      () => this.copied.set(true),
      () => this.error.set('The key could not be copied: select it and copy it by hand.'),
    );
  }

  protected async revoke(key: ApiKey): Promise<void> {
    try {
      await firstValueFrom(this.http.delete<void>(`${this.base}/${key.id}`));
      this.keys.update((keys) => keys.map((item) => (item.id === key.id ? { ...item, revokedAt: new Date().toISOString() } : item)));
    } catch (error) {
      this.error.set(`${key.name} was not revoked: ${problemMessage(error)}`);
    }
  }
}
