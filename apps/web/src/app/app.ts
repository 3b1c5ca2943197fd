import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { SessionService } from './core/auth/session.service';
import { forgetDrafts } from './core/drafts';
import { PreferencesService } from './core/preferences.service';

/** Application shell: the page landmarks, the navigation and the signed-in person; pages render in `<main>`. */
@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  template: `
    <a class="skip-link" href="#main">Skip to content</a>
    <header class="app-header">
      <a class="brand" routerLink="/">MCP DataFlow Chat</a>
      <nav aria-label="Main">
        <a routerLink="/" routerLinkActive="active" [routerLinkActiveOptions]="{ exact: true }">Chat</a>
        <a routerLink="/files" routerLinkActive="active">Files</a>
        <a routerLink="/settings" routerLinkActive="active" [routerLinkActiveOptions]="{ exact: true }">Settings</a>
        <a routerLink="/settings/api-keys" routerLinkActive="active">API keys</a>
        @if (session.user()?.role === 'admin') {
          <a routerLink="/settings/users" routerLinkActive="active">Users</a>
          <a routerLink="/servers" routerLinkActive="active">MCP servers</a>
        }
        <a routerLink="/status" routerLinkActive="active">Status</a>
      </nav>
      @if (session.user(); as user) {
        <div class="account">
          <span data-testid="signed-in-as">{{ user.name }}<span class="role"> · {{ user.role }}</span></span>
          <button type="button" (click)="signOut()">Sign out</button>
        </div>
      }
    </header>
    <main id="main" class="app-main" tabindex="-1">
      <router-outlet />
    </main>
  `,
  styles: `
    .app-main {
      inline-size: 100%;
      max-inline-size: 64rem;
      margin-inline: auto;
      padding: clamp(1rem, 4vw, 2.5rem);
    }
    .app-main:focus {
      outline: none;
    }
  `,
})
export class App {
  protected readonly session = inject(SessionService);
  private readonly router = inject(Router);

  constructor() {
    // The theme chosen in this browser applies from the first page on.
    inject(PreferencesService);
  }

  protected async signOut(): Promise<void> {
    forgetDrafts();
    await this.session.signOut();
    await this.router.navigate(['/sign-in']);
  }
}
