import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { afterNextRender, ChangeDetectionStrategy, Component, ElementRef, inject, Injector, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule } from '@angular/forms';
import { firstValueFrom } from 'rxjs';
import { API_BASE_URL } from '../../core/api-base-url.token';
import { apiUrl } from '../../core/api-url';
import { problemMessage } from '../../core/problem';
import { passwordMinLength } from '../auth/auth-form';

/** The gateway's longest password. */
export const passwordMaxLength = 256;

type Field = 'current' | 'next' | 'confirm';

export interface PasswordChange {
  readonly current: string;
  readonly next: string;
  readonly confirm: string;
}

/** What is wrong with each field, in words for beside it; the fields with nothing wrong are left out. */
export function passwordChangeProblems({ current, next, confirm }: PasswordChange): Partial<Record<Field, string>> {
  const problems: Partial<Record<Field, string>> = {};
  if (!current) problems.current = 'Enter the password you sign in with now.';
  if (next.length < passwordMinLength) problems.next = `The new password needs at least ${passwordMinLength} characters.`;
  else if (next.length > passwordMaxLength) problems.next = `The new password can have at most ${passwordMaxLength} characters.`;
  if (!confirm) problems.confirm = 'Enter the new password again.';
  else if (confirm !== next) problems.confirm = 'The two new passwords are not the same.';
  return problems;
}

/** The field a gateway problem names (`details.field`, or the first of `details.fields`), as this form calls it. */
function fieldOf(error: unknown): Field | undefined {
  if (!(error instanceof HttpErrorResponse)) return undefined;
  const details = (error.error as { details?: { field?: unknown; fields?: { field?: unknown }[] } } | null)?.details;
  const field = details?.field ?? details?.fields?.[0]?.field;
  return field === 'currentPassword' ? 'current' : field === 'newPassword' ? 'next' : undefined;
}

/**
 * `POST /api/v1/auth/password`: the current password and a new one, twice. What is wrong is said
 * beside its field; what the gateway refuses (a wrong current password, a common new one) in its
 * own words, beside the field it names.
 */
@Component({
  selector: 'app-password-section',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule],
  styleUrl: './settings.css',
  templateUrl: './password.section.html',
})
export class PasswordSection {
  private readonly http = inject(HttpClient);
  private readonly url = apiUrl(inject(API_BASE_URL), '/api/v1/auth/password');
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly injector = inject(Injector);

  protected readonly minLength = passwordMinLength;
  protected readonly fields: readonly { name: Field; label: string; autocomplete: string }[] = [
    { name: 'current', label: 'Current password', autocomplete: 'current-password' },
    { name: 'next', label: 'New password', autocomplete: 'new-password' },
    { name: 'confirm', label: 'New password, again', autocomplete: 'new-password' },
  ];
  protected readonly form = inject(FormBuilder).nonNullable.group({ current: [''], next: [''], confirm: [''] });
  protected readonly problems = signal<Partial<Record<Field, string>>>({});
  protected readonly error = signal('');
  protected readonly busy = signal(false);
  protected readonly changed = signal(false);

  protected async change(): Promise<void> {
    const values = this.form.getRawValue();
    this.changed.set(false);
    this.error.set('');
    this.problems.set(passwordChangeProblems(values));
    if (Object.keys(this.problems()).length) return this.focusFirstProblem();
    this.busy.set(true);
    try {
      await firstValueFrom(this.http.post<void>(this.url, { currentPassword: values.current, newPassword: values.next }));
      this.form.reset();
      this.changed.set(true);
    } catch (error) {
      const field = fieldOf(error);
      if (field) {
        this.problems.set({ [field]: problemMessage(error) });
        this.focusFirstProblem();
      } else {
        this.error.set(`Your password was not changed: ${problemMessage(error)}`);
      }
    } finally {
      this.busy.set(false);
    }
  }

  private focusFirstProblem(): void {
    afterNextRender(() => this.host.nativeElement.querySelector<HTMLInputElement>('input[aria-invalid="true"]')?.focus(), { injector: this.injector });
  }
}
