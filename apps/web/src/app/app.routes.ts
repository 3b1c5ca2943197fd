import type { Routes, UrlMatchResult, UrlSegment } from '@angular/router';
import { adminGuard, signedInGuard } from './core/auth/auth.guard';

/**
 * `/` (a new chat) and `/c/:id` (a conversation) are one route, so that the chat page stays as it
 * is when a new chat gets its address: its stream and its message box carry on.
 */
export function chatMatcher(segments: UrlSegment[]): UrlMatchResult | null {
  if (segments.length === 0) return { consumed: [] };
  if (segments.length === 2 && segments[0]!.path === 'c') return { consumed: segments, posParams: { id: segments[1]! } };
  return null;
}

/** Every page is its own lazy chunk; signed-in pages pass the session guard. */
export const routes: Routes = [
  { matcher: chatMatcher, canActivate: [signedInGuard], title: 'Chat · MCP DataFlow Chat', loadComponent: () => import('./features/chat/chat.page').then((m) => m.ChatPage) },
  { path: 'files', canActivate: [signedInGuard], title: 'Files · MCP DataFlow Chat', loadComponent: () => import('./features/files/files.page').then((m) => m.FilesPage) },
  { path: 'settings', canActivate: [signedInGuard], title: 'Settings · MCP DataFlow Chat', loadComponent: () => import('./features/settings/settings.page').then((m) => m.SettingsPage) },
  { path: 'settings/api-keys', canActivate: [signedInGuard], title: 'API keys · MCP DataFlow Chat', loadComponent: () => import('./features/settings/api-keys.page').then((m) => m.ApiKeysPage) },
  { path: 'settings/users', canActivate: [adminGuard], title: 'Users · MCP DataFlow Chat', loadComponent: () => import('./features/settings/users.page').then((m) => m.UsersPage) },
  { path: 'servers', canActivate: [adminGuard], title: 'MCP servers · MCP DataFlow Chat', loadComponent: () => import('./features/servers/servers.page').then((m) => m.ServersPage) },
  { path: 'setup', title: 'Set up · MCP DataFlow Chat', loadComponent: () => import('./features/auth/setup.page').then((m) => m.SetupPage) },
  { path: 'sign-in', title: 'Sign in · MCP DataFlow Chat', loadComponent: () => import('./features/auth/sign-in.page').then((m) => m.SignInPage) },
  { path: 'register', title: 'Create an account · MCP DataFlow Chat', loadComponent: () => import('./features/auth/register.page').then((m) => m.RegisterPage) },
  { path: 'status', title: 'Platform status · MCP DataFlow Chat', loadComponent: () => import('./features/health/health.page').then((m) => m.HealthPage) },
  { path: '**', redirectTo: '' },
];
