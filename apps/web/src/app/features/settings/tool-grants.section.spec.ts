import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { httpTestBed } from '../../testing/http-test-bed';
import { settled } from '../../testing/settled';
import type { ToolGrant } from './settings.model';
import { ToolGrantsSection } from './tool-grants.section';

const always: ToolGrant = { id: 'g1', tool: 'data__write_file', conversationId: null, createdAt: '2026-12-01T10:00:00Z' };
const inOne: ToolGrant = { id: 'g2', tool: 'sqlite__write_query', conversationId: 'c1', createdAt: '2026-12-02T10:00:00Z' };
const inGone: ToolGrant = { id: 'g3', tool: 'sqlite__create_table', conversationId: 'c2', createdAt: '2026-12-03T10:00:00Z' };

describe('the allowed tools section', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    http = httpTestBed();
  });

  afterEach(() => http.verify());

  async function opened(grants: ToolGrant[]) {
    const fixture = TestBed.createComponent(ToolGrantsSection);
    http.expectOne('/api/v1/tool-grants').flush(grants);
    await settled(fixture);
    return { fixture, root: fixture.nativeElement as HTMLElement };
  }

  it('lists the "always" grants apart from the ones of one conversation, named by its title', async () => {
    const { fixture, root } = await opened([inGone, inOne, always]);
    http.expectOne('/api/v1/conversations/c2').flush({ detail: 'There is no such conversation' }, { status: 404, statusText: 'Not Found' });
    http.expectOne('/api/v1/conversations/c1').flush({ id: 'c1', title: 'Q3 revenue' });
    await settled(fixture);
    const [alwaysList, oneList] = [...root.querySelectorAll('ul')];
    expect(root.querySelectorAll('h3')[0]!.textContent).toBe('Always');
    expect(alwaysList!.textContent).toContain('write_file');
    expect(alwaysList!.textContent).toContain('on data');
    expect(alwaysList!.textContent).toContain('in every conversation');
    expect([...oneList!.querySelectorAll('li')].map((item) => item.getAttribute('data-tool'))).toEqual(['sqlite__create_table', 'sqlite__write_query']);
    expect(oneList!.textContent).toContain('only in “Q3 revenue”');
    expect(oneList!.textContent).toContain('only in one conversation');
  });

  it('revokes a grant: it leaves the list, and the tool asks again', async () => {
    const { fixture, root } = await opened([always]);
    root.querySelector<HTMLButtonElement>('[aria-label="Revoke data__write_file in every conversation"]')!.click();
    const revoke = http.expectOne('/api/v1/tool-grants/g1');
    expect(revoke.request.method).toBe('DELETE');
    revoke.flush(null, { status: 204, statusText: 'No Content' });
    await settled(fixture);
    expect(root.querySelector('[data-testid=grant]')).toBeNull();
    expect(root.querySelector('[role=status]')!.textContent).toContain('data__write_file asks for approval again in every conversation');
    expect(root.querySelector('[data-testid=no-grants]')).not.toBeNull();
  });

  it('says how a grant is made when there is none, and a refusal in the gateway’s words', async () => {
    const { root } = await opened([]);
    expect(root.querySelector('[data-testid=no-grants]')!.textContent).toContain('Always allow');

    TestBed.resetTestingModule();
    http = httpTestBed();
    const failing = await opened([always]);
    failing.root.querySelector<HTMLButtonElement>('button')!.click();
    http.expectOne('/api/v1/tool-grants/g1').flush({ detail: 'There is no such tool grant' }, { status: 404, statusText: 'Not Found' });
    await settled(failing.fixture);
    expect(failing.root.querySelector('[role=alert]')!.textContent).toContain('data__write_file was not revoked: There is no such tool grant');
    expect(failing.root.querySelector('[data-testid=grant]')).not.toBeNull();
  });
});
