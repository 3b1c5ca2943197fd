import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule } from '@angular/forms';
import { firstValueFrom } from 'rxjs';
import { API_BASE_URL } from '../../core/api-base-url.token';
import { apiUrl } from '../../core/api-url';
import type { User } from '../../core/auth/session.model';
import { SessionService } from '../../core/auth/session.service';
import { problemMessage } from '../../core/problem';

/** The gateway's longest name, as at registration. */
export const nameMaxLength = 100;

/** What is wrong with a name, in a sentence; '' when it will do. */
export function nameProblem(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) return 'Enter your name.';
  if (trimmed.length > nameMaxLength) return `Your name can have at most ${nameMaxLength} characters (this one has ${trimmed.length}).`;
  return '';
}

/** The signed-in person's name (`PATCH /api/v1/auth/me`); the header shows the new one at once. */
@Component({
  selector: 'app-profile-section',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule],
  styleUrl: './settings.css',
  template: `
    <section class="card" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <p class="hint">Signed in as {{ session.user()?.email }}, {{ session.user()?.role }}. Your name is shown in the header and to admins.</p>
      <form [formGroup]="form" (ngSubmit)="save()" novalidate>
        <label for="profile-name">Name</label>
        <input
          id="profile-name"
          formControlName="name"
          autocomplete="name"
          [attr.aria-invalid]="nameError() ? 'true' : null"
          [attr.aria-describedby]="nameError() ? 'profile-name-error' : null"
        />
        @if (nameError()) {
          <p id="profile-name-error" class="field-error">{{ nameError() }}</p>
        }
        @if (error()) {
          <p class="form-error" role="alert">{{ error() }}</p>
        }
        <button type="submit" class="primary" [disabled]="busy()">{{ busy() ? 'Saving…' : 'Save the name' }}</button>
        <p class="saved" role="status">{{ saved() ? 'Your name is saved.' : '' }}</p>
      </form>
    </section>
  `,
})
export class ProfileSection {
  private readonly http = inject(HttpClient);
  private readonly url = apiUrl(inject(API_BASE_URL), '/api/v1/auth/me');
  protected readonly session = inject(SessionService);

  protected readonly form = inject(FormBuilder).nonNullable.group({ name: [this.session.user()?.name ?? ''] });
  protected readonly nameError = signal('');
  protected readonly error = signal('');
  protected readonly busy = signal(false);
  protected readonly saved = signal(false);

  protected async save(): Promise<void> {
    const { name } = this.form.getRawValue();
    this.saved.set(false);
    this.error.set('');
    this.nameError.set(nameProblem(name));
    if (this.nameError()) return;
    this.busy.set(true);
    try {
      const user = await firstValueFrom(this.http.patch<User>(this.url, { name: name.trim() }));
      this.session.replaceUser(user);
      this.form.setValue({ name: user.name });
      this.saved.set(true);
    } catch (error) {
      this.error.set(`Your name was not changed: ${problemMessage(error)}`);
    } finally {
      this.busy.set(false);
    }
  }
}
