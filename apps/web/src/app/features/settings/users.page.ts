import { DatePipe } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { API_BASE_URL } from '../../core/api-base-url.token';
import { apiUrl } from '../../core/api-url';
import type { User } from '../../core/auth/session.model';
import { SessionService } from '../../core/auth/session.service';
import { problemMessage } from '../../core/problem';

/** `GET /api/v1/admin/users`: an account as an admin sees it. */
export interface ManagedUser extends User {
  readonly disabled: boolean;
  readonly createdAt: string;
}

const pageSize = 50;

/** Admins: every account, oldest first, with its role to change and a disable or enable. */
@Component({
  selector: 'app-users-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe],
  template: `
    <section class="card" aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <p>Admins manage users, models and MCP servers; members chat with their own data. A disabled account cannot sign in, and its API keys stop working.</p>
      @if (error()) {
        <p class="form-error" role="alert">{{ error() }}</p>
      }
      <ul class="keys">
        @for (user of users(); track user.id) {
          <li data-testid="user" [attr.data-email]="user.email">
            <strong>{{ user.name }}</strong> <span>{{ user.email }}</span>
            <span class="hint">joined {{ user.createdAt | date: 'mediumDate' }}{{ user.id === me()?.id ? ' · you' : '' }}</span>
            <label class="check">
              <span class="visually-hidden">Role of {{ user.name }}</span>
              <select [value]="user.role" (change)="changeRole(user, $event)" [disabled]="user.id === me()?.id">
                <option value="member">member</option>
                <option value="admin">admin</option>
              </select>
            </label>
            @if (user.disabled) {
              <span class="revoked">Disabled</span>
              <button type="button" (click)="setDisabled(user, false)" [attr.aria-label]="'Enable ' + user.name">Enable</button>
            } @else if (user.id !== me()?.id) {
              <button type="button" (click)="setDisabled(user, true)" [attr.aria-label]="'Disable ' + user.name">Disable</button>
            }
          </li>
        }
      </ul>
      @if (more()) {
        <button type="button" (click)="load()">Show more users</button>
      }
    </section>
  `,
})
export class UsersPage {
  private readonly http = inject(HttpClient);
  private readonly base = apiUrl(inject(API_BASE_URL), '/api/v1/admin/users');

  protected readonly me = inject(SessionService).user;
  protected readonly users = signal<readonly ManagedUser[]>([]);
  protected readonly more = signal(false);
  protected readonly error = signal('');

  constructor() {
    void this.load();
  }

  protected async load(): Promise<void> {
    const after = this.users().at(-1)?.id;
    try {
      const page = await firstValueFrom(this.http.get<ManagedUser[]>(this.base, { params: after ? { limit: pageSize, after } : { limit: pageSize } }));
      this.users.update((users) => [...users, ...page]);
      this.more.set(page.length === pageSize);
    } catch (error) {
      this.error.set(`The users cannot be listed: ${problemMessage(error)}`);
    }
  }

  protected changeRole(user: ManagedUser, event: Event): Promise<void> {
    return this.update(user, { role: (event.target as HTMLSelectElement).value as ManagedUser['role'] });
  }

  protected setDisabled(user: ManagedUser, disabled: boolean): Promise<void> {
    return this.update(user, { disabled });
  }

  private async update(user: ManagedUser, change: Partial<Pick<ManagedUser, 'role' | 'disabled'>>): Promise<void> {
    this.error.set('');
    try {
      const updated = await firstValueFrom(this.http.patch<ManagedUser>(`${this.base}/${user.id}`, change));
      this.users.update((users) => users.map((item) => (item.id === user.id ? updated : item)));
    } catch (error) {
      this.error.set(`${user.name} was not changed: ${problemMessage(error)}`);
      // Show the account as it is, not as the control was left.
      this.users.update((users) => [...users]);
    }
  }
}
