import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { SessionService } from '../../core/auth/session.service';
import { Submission } from './auth-form';

/** Signing in; an empty instance sends the person to set it up instead. */
@Component({
  selector: 'app-sign-in-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, RouterLink],
  template: `
    <section class="card auth-card" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      @if (returnUrl()) {
        <p class="notice" role="status">Your session ended. Sign in to go back where you were.</p>
      }
      <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
        <label for="sign-in-email">Email</label>
        <input id="sign-in-email" type="email" formControlName="email" autocomplete="username" required />
        <label for="sign-in-password">Password</label>
        <input id="sign-in-password" type="password" formControlName="password" autocomplete="current-password" required />
        @if (submission.error()) {
          <p class="form-error" role="alert">{{ submission.error() }}</p>
        }
        <button type="submit" class="primary" [disabled]="submission.busy()">{{ submission.busy() ? 'Signing in…' : 'Sign in' }}</button>
      </form>
      @if (registration() !== 'closed') {
        <p>No account yet? <a routerLink="/register">Create one</a>{{ registration() === 'invite' ? ' with the invitation an admin gave you' : '' }}.</p>
      }
    </section>
  `,
})
export class SignInPage {
  private readonly session = inject(SessionService);
  private readonly router = inject(Router);

  /** Where to go once signed in (from the query string). */
  readonly returnUrl = input<string>();
  protected readonly registration = signal<'open' | 'invite' | 'closed'>('closed');
  protected readonly form = inject(FormBuilder).nonNullable.group({
    email: ['', [Validators.required, Validators.email]],
    password: ['', Validators.required],
  });
  protected readonly submission = new Submission();

  constructor() {
    void this.session
      .setup()
      .then(({ firstRun, registration }) => {
        if (firstRun) void this.router.navigate(['/setup']);
        else this.registration.set(registration);
      })
      .catch(() => undefined);
  }

  submit(): Promise<void> {
    return this.submission.run(this.form, async () => {
      await this.session.signIn(this.form.getRawValue());
      await this.router.navigateByUrl(safeReturnUrl(this.returnUrl()));
    });
  }
}

/** A path inside this app to go back to; anything else (another site, a protocol) goes home. */
export function safeReturnUrl(url: string | undefined): string {
  return url && url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/sign-in') ? url : '/';
}
