import { signal } from '@angular/core';
import type { AbstractControl, FormGroup } from '@angular/forms';
import { problemMessage } from '../../core/problem';

/** The gateway's shortest password (it also refuses common ones, and says so). */
export const passwordMinLength = 12;

const fieldNames: Readonly<Record<string, string>> = { name: 'your name', email: 'the email', password: 'the password' };

/** The first thing wrong with a form, in a sentence; '' when nothing is. */
export function formProblem(controls: Readonly<Record<string, AbstractControl>>): string {
  for (const [key, control] of Object.entries(controls)) {
    const errors = control.errors;
    if (!errors) continue;
    const field = fieldNames[key] ?? key;
    if (errors['required']) return `Enter ${field}.`;
    if (errors['email']) return 'Enter an email address such as ana@example.com.';
    if (errors['minlength']) return `The password needs at least ${passwordMinLength} characters.`;
    return `Check ${field}.`;
  }
  return '';
}

/**
 * A form's sending: what is wrong with the form is said and nothing is sent; otherwise `send` runs
 * with `busy` on, and what the gateway refuses becomes `error`, in its own words.
 */
export class Submission {
  readonly busy = signal(false);
  readonly error = signal('');

  async run(form: FormGroup, send: () => Promise<unknown>): Promise<void> {
    if (form.invalid) {
      this.error.set(formProblem(form.controls));
      return;
    }
    this.busy.set(true);
    this.error.set('');
    try {
      await send();
    } catch (error) {
      this.error.set(problemMessage(error));
    } finally {
      this.busy.set(false);
    }
  }
}
