import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { SessionService } from '../../core/auth/session.service';
import { passwordMinLength, Submission } from './auth-form';

/** Creating an account, when the instance lets people register (openly, or with an invitation). */
@Component({
  selector: 'app-register-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, RouterLink],
  template: `
    <section class="card auth-card" aria-labelledby="register-title">
      <h1 id="register-title">Create an account</h1>
      <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
        <label for="register-name">Your name</label>
        <input id="register-name" formControlName="name" autocomplete="name" required />
        <label for="register-email">Email</label>
        <input id="register-email" type="email" formControlName="email" autocomplete="email" required />
        <label for="register-password">Password</label>
        <input id="register-password" type="password" formControlName="password" autocomplete="new-password" required aria-describedby="register-password-hint" />
        <p id="register-password-hint" class="hint">At least {{ passwordMinLength }} characters, not a common password.</p>
        <label for="register-invitation">Invitation <span class="hint">(if an admin gave you one)</span></label>
        <input id="register-invitation" formControlName="invitation" autocomplete="off" />
        @if (submission.error()) {
          <p class="form-error" role="alert">{{ submission.error() }}</p>
        }
        <button type="submit" class="primary" [disabled]="submission.busy()">{{ submission.busy() ? 'Creating…' : 'Create the account' }}</button>
      </form>
      <p>Have an account? <a routerLink="/sign-in">Sign in</a>.</p>
    </section>
  `,
})
export class RegisterPage {
  private readonly session = inject(SessionService);
  private readonly router = inject(Router);

  /** An invitation token from a link (`/register?invitation=…`). */
  readonly invitation = input<string>();
  protected readonly passwordMinLength = passwordMinLength;
  protected readonly form = inject(FormBuilder).nonNullable.group({
    name: ['', Validators.required],
    email: ['', [Validators.required, Validators.email]],
    password: ['', [Validators.required, Validators.minLength(passwordMinLength)]],
    invitation: [''],
  });
  protected readonly submission = new Submission();

  ngOnInit(): void {
    const invitation = this.invitation();
    if (invitation) this.form.controls.invitation.setValue(invitation);
  }

  submit(): Promise<void> {
    return this.submission.run(this.form, async () => {
      const { invitation, ...rest } = this.form.getRawValue();
      await this.session.register(invitation ? { ...rest, invitation } : rest);
      await this.router.navigate(['/']);
    });
  }
}
