import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { SessionService } from '../../core/auth/session.service';
import { AppearanceSection } from './appearance.section';
import { DefaultModelSection } from './default-model.section';
import { InvitationsSection } from './invitations.section';
import { PasswordSection } from './password.section';
import { ProfileSection } from './profile.section';
import { ToolGrantsSection } from './tool-grants.section';

/** The signed-in person's settings: name, password, default model, theme, allowed tools; for admins, registration and invitations. */
@Component({
  selector: 'app-settings-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, ProfileSection, PasswordSection, DefaultModelSection, AppearanceSection, ToolGrantsSection, InvitationsSection],
  template: `
    <div class="settings">
      <div>
        <h1 id="settings-title">Settings</h1>
        <p class="hint">
          Also: <a routerLink="/settings/api-keys">API keys</a>, for scripts and other tools{{ admin() ? ';' : '.' }}
          @if (admin()) {
            <a routerLink="/settings/users">users</a>, to change roles and disable accounts.
          }
        </p>
      </div>
      <app-profile-section />
      <app-password-section />
      <app-default-model-section />
      <app-appearance-section />
      <app-tool-grants-section />
      @if (admin()) {
        <app-invitations-section />
      }
    </div>
  `,
  styles: `
    .settings {
      display: grid;
      grid-template-columns: minmax(0, 1fr);
      gap: 1.5rem;
    }
    h1 {
      margin-block: 0 0.25rem;
      font-size: 1.5rem;
    }
  `,
})
export class SettingsPage {
  private readonly session = inject(SessionService);
  protected readonly admin = computed(() => this.session.user()?.role === 'admin');
}
