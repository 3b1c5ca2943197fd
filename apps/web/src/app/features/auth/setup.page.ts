import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { Router } from '@angular/router';
import { SessionService } from '../../core/auth/session.service';
import { passwordMinLength, Submission } from './auth-form';

/** The first visit to an empty instance: creating the admin account. */
@Component({
  selector: 'app-setup-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule],
  template: `
    <section class="card auth-card" aria-labelledby="setup-title">
      <h1 id="setup-title">Welcome to MCP DataFlow Chat</h1>
      <p>This instance has no accounts yet. Create the admin account: it manages users, models and MCP servers.</p>
      <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
        <label for="setup-name">Your name</label>
        <input id="setup-name" formControlName="name" autocomplete="name" required />
        <label for="setup-email">Email</label>
        <input id="setup-email" type="email" formControlName="email" autocomplete="email" required />
        <label for="setup-password">Password</label>
        <input id="setup-password" type="password" formControlName="password" autocomplete="new-password" required [attr.aria-describedby]="'setup-password-hint'" />
        <p id="setup-password-hint" class="hint">At least {{ passwordMinLength }} characters, not a common password.</p>
        @if (submission.error()) {
          <p class="form-error" role="alert">{{ submission.error() }}</p>
        }
        <button type="submit" class="primary" [disabled]="submission.busy()">{{ submission.busy() ? 'Creating…' : 'Create the admin account' }}</button>
      </form>
    </section>
  `,
})
export class SetupPage {
  private readonly session = inject(SessionService);
  private readonly router = inject(Router);

  protected readonly passwordMinLength = passwordMinLength;
  protected readonly form = inject(FormBuilder).nonNullable.group({
    name: ['', Validators.required],
    email: ['', [Validators.required, Validators.email]],
    password: ['', [Validators.required, Validators.minLength(passwordMinLength)]],
  });
  protected readonly submission = new Submission();

  submit(): Promise<void> {
    return this.submission.run(this.form, async () => {
      await this.session.register(this.form.getRawValue());
      await this.router.navigate(['/'], { queryParams: { welcome: 1 } });
    });
  }
}
