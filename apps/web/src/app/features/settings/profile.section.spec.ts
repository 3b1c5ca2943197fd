import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { httpTestBed } from '../../testing/http-test-bed';
import { settled } from '../../testing/settled';
import { signedInAs } from '../../testing/signed-in';
import { nameProblem, ProfileSection } from './profile.section';

const ana = { id: 'u1', email: 'ana@example.com', name: 'Ana', role: 'member' as const };

describe('the profile section', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    http = httpTestBed();
  });

  afterEach(() => http.verify());

  async function opened() {
    const session = await signedInAs(http, ana);
    const fixture = TestBed.createComponent(ProfileSection);
    await settled(fixture);
    const root = fixture.nativeElement as HTMLElement;
    const name = root.querySelector<HTMLInputElement>('#profile-name')!;
    const type = (value: string) => {
      name.value = value;
      name.dispatchEvent(new Event('input'));
    };
    const submit = () => root.querySelector('form')!.dispatchEvent(new Event('submit'));
    return { fixture, root, session, name, type, submit };
  }

  it('says what is wrong with a name', () => {
    expect(nameProblem('  ')).toBe('Enter your name.');
    expect(nameProblem('x'.repeat(101))).toContain('at most 100 characters');
    expect(nameProblem(` ${'x'.repeat(100)} `)).toBe('');
  });

  it('saves the trimmed name and shows it in the session at once', async () => {
    const { fixture, root, session, name, type, submit } = await opened();
    expect(name.value).toBe('Ana');
    type('  Ana María  ');
    submit();
    const patch = http.expectOne('/api/v1/auth/me');
    expect([patch.request.method, patch.request.body]).toEqual(['PATCH', { name: 'Ana María' }]);
    patch.flush({ ...ana, name: 'Ana María' });
    await settled(fixture);
    expect(session.user()?.name).toBe('Ana María');
    expect(root.querySelector('[role=status]')!.textContent).toContain('saved');
  });

  it('says beside the field what is missing, sends nothing, and shows a refusal in the gateway’s words', async () => {
    const { fixture, root, session, name, type, submit } = await opened();
    type('   ');
    submit();
    await settled(fixture);
    expect(root.querySelector('#profile-name-error')!.textContent).toContain('Enter your name');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(name.getAttribute('aria-describedby')).toBe('profile-name-error');

    type('Ana B');
    submit();
    http.expectOne('/api/v1/auth/me').flush({ detail: 'name must have 1 to 100 characters' }, { status: 400, statusText: 'Bad Request' });
    await settled(fixture);
    expect(root.querySelector('#profile-name-error')).toBeNull();
    expect(root.querySelector('[role=alert]')!.textContent).toContain('Your name was not changed: name must have 1 to 100 characters');
    expect(session.user()?.name).toBe('Ana');
  });
});
