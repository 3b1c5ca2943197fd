import { DatePipe, DOCUMENT } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule } from '@angular/forms';
import { firstValueFrom } from 'rxjs';
import { API_BASE_URL } from '../../core/api-base-url.token';
import { apiUrl } from '../../core/api-url';
import { SessionService } from '../../core/auth/session.service';
import { problemMessage } from '../../core/problem';
import { type CreatedInvitation, type Invitation, type RegistrationPolicy, registrationPolicies, type Role } from './settings.model';

/** Loose on purpose: the gateway has the last word on what an email is. */
const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Where an invitation stands, in a word or two. */
export function invitationState(invitation: Invitation, now = Date.now()): 'used' | 'expired' | 'open' {
  if (invitation.usedAt) return 'used';
  return Date.parse(invitation.expiresAt) <= now ? 'expired' : 'open';
}

/**
 * Admins: who may register (`REGISTRATION`, read from `GET /api/v1/auth/setup`; changed in the
 * gateway's environment), and the invitations that registration by invitation needs: make one
 * (shown once, as a token and a link, with a copy button), list them, revoke an unused one.
 */
@Component({
  selector: 'app-invitations-section',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, ReactiveFormsModule],
  styleUrl: './settings.css',
  templateUrl: './invitations.section.html',
})
export class InvitationsSection {
  private readonly http = inject(HttpClient);
  private readonly url = apiUrl(inject(API_BASE_URL), '/api/v1/admin/invitations');
  private readonly session = inject(SessionService);
  private readonly document = inject(DOCUMENT);

  protected readonly policies = registrationPolicies;
  protected readonly registration = signal<RegistrationPolicy | null>(null);
  protected readonly invitations = signal<readonly Invitation[]>([]);
  protected readonly loaded = signal(false);
  protected readonly created = signal<{ token: string; link: string; invitation: Invitation } | null>(null);
  protected readonly copied = signal(false);
  protected readonly emailError = signal('');
  protected readonly error = signal('');
  protected readonly busy = signal(false);
  protected readonly state = invitationState;
  protected readonly form = inject(FormBuilder).nonNullable.group({ email: [''], role: ['member' as Role] });

  constructor() {
    void this.load();
  }

  private async load(): Promise<void> {
    const [setup, invitations] = await Promise.allSettled([this.session.setup(), firstValueFrom(this.http.get<Invitation[]>(this.url))]);
    if (setup.status === 'fulfilled') this.registration.set(setup.value.registration);
    if (invitations.status === 'fulfilled') this.invitations.set(invitations.value);
    else this.error.set(`The invitations cannot be listed: ${problemMessage(invitations.reason)}`);
    this.loaded.set(true);
  }

  protected async create(): Promise<void> {
    const email = this.form.controls.email.value.trim();
    const role = this.form.controls.role.value;
    this.error.set('');
    this.emailError.set(email && !emailShape.test(email) ? 'Enter an email address such as ana@example.com, or leave it empty for anyone.' : '');
    if (this.emailError()) return;
    this.busy.set(true);
    try {
      const made = await firstValueFrom(this.http.post<CreatedInvitation>(this.url, { ...(email ? { email } : {}), role }));
      const link = new URL(`register?invitation=${encodeURIComponent(made.token)}`, this.document.baseURI).href;
      this.created.set({ ...made, link });
      this.copied.set(false);
      this.invitations.update((invitations) => [made.invitation, ...invitations]);
      this.form.reset();
    } catch (error) {
      this.error.set(`The invitation was not made: ${problemMessage(error)}`);
    } finally {
      this.busy.set(false);
    }
  }

  protected async copy(link: string): Promise<void> {
    await navigator.clipboard.writeText(link).then(
      () => this.copied.set(true),
      () => this.error.set('The link could not be copied: select it and copy it by hand.'),
    );
  }

  protected async revoke(invitation: Invitation): Promise<void> {
    this.error.set('');
    try {
      await firstValueFrom(this.http.delete<void>(`${this.url}/${invitation.id}`));
      this.invitations.update((invitations) => invitations.filter((item) => item.id !== invitation.id));
      if (this.created()?.invitation.id === invitation.id) this.created.set(null);
    } catch (error) {
      this.error.set(`The invitation ${invitation.email ? `for ${invitation.email} ` : ''}was not revoked: ${problemMessage(error)}`);
    }
  }
}
