import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { httpTestBed } from '../../testing/http-test-bed';
import { settled } from '../../testing/settled';
import { signedInAs } from '../../testing/signed-in';
import { SettingsPage } from './settings.page';

describe('the settings page', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    http = httpTestBed(provideRouter([]));
  });

  afterEach(() => http.verify());

  async function opened(role: 'admin' | 'member') {
    await signedInAs(http, { id: 'u1', email: 'ana@example.com', name: 'Ana', role });
    const fixture = TestBed.createComponent(SettingsPage);
    await settled(fixture);
    http.expectOne('/api/v1/models').flush([]);
    http.expectOne('/api/v1/tool-grants').flush([]);
    await settled(fixture);
    return fixture.nativeElement as HTMLElement;
  }

  const headings = (root: HTMLElement) => [...root.querySelectorAll('h1, h2')].map((heading) => `${heading.tagName} ${heading.textContent!.trim()}`);

  it("has a member's sections, and no admin's", async () => {
    const root = await opened('member');
    expect(headings(root)).toEqual(['H1 Settings', 'H2 Profile', 'H2 Password', 'H2 Default model', 'H2 Appearance', 'H2 Allowed tools']);
    expect([...root.querySelectorAll('a')].map((link) => link.getAttribute('href'))).toEqual(['/settings/api-keys']);
    http.expectNone('/api/v1/admin/invitations');
  });

  it("adds registration and invitations, and the users' link, for an admin", async () => {
    const root = await opened('admin');
    http.expectOne('/api/v1/auth/setup').flush({ firstRun: false, registration: 'invite' });
    http.expectOne('/api/v1/admin/invitations').flush([]);
    expect(headings(root).at(-1)).toBe('H2 Registration and invitations');
    expect([...root.querySelectorAll('a')].map((link) => link.getAttribute('href'))).toEqual(['/settings/api-keys', '/settings/users']);
  });
});
