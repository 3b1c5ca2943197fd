import type { Routes } from '@angular/router';
import { adminGuard, signedInGuard } from './core/auth/auth.guard';

/** Every page is its own lazy chunk; signed-in pages pass the session guard. */
export const routes: Routes = [
  { path: '', pathMatch: 'full', canActivate: [signedInGuard], title: 'Home · MCP DataFlow Chat', loadComponent: () => import('./features/home/home.page').then((m) => m.HomePage) },
  { path: 'files', canActivate: [signedInGuard], title: 'Files · MCP DataFlow Chat', loadComponent: () => import('./features/files/files.page').then((m) => m.FilesPage) },
  { path: 'settings/api-keys', canActivate: [signedInGuard], title: 'API keys · MCP DataFlow Chat', loadComponent: () => import('./features/settings/api-keys.page').then((m) => m.ApiKeysPage) },
  { path: 'settings/users', canActivate: [adminGuard], title: 'Users · MCP DataFlow Chat', loadComponent: () => import('./features/settings/users.page').then((m) => m.UsersPage) },
  { path: 'setup', title: 'Set up · MCP DataFlow Chat', loadComponent: () => import('./features/auth/setup.page').then((m) => m.SetupPage) },
  { path: 'sign-in', title: 'Sign in · MCP DataFlow Chat', loadComponent: () => import('./features/auth/sign-in.page').then((m) => m.SignInPage) },
  { path: 'register', title: 'Create an account · MCP DataFlow Chat', loadComponent: () => import('./features/auth/register.page').then((m) => m.RegisterPage) },
  { path: 'status', title: 'Platform status · MCP DataFlow Chat', loadComponent: () => import('./features/health/health.page').then((m) => m.HealthPage) },
  { path: '**', redirectTo: '' },
];
