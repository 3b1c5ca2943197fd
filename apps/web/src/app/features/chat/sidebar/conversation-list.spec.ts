import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { httpTestBed } from '../../../testing/http-test-bed';
import { microtasks } from '../../../testing/settled';
import { signedInAs } from '../../../testing/signed-in';
import type { Conversation } from '../chat.model';
import { ConversationList, undoWindowMs } from './conversation-list';

const conversation = (id: string, title = id): Conversation => ({ id, title, pinned: false, archived: false, model: null, createdAt: '2026-12-06T00:00:00Z', updatedAt: '2026-12-06T00:00:00Z', activeAt: new Date().toISOString() });

describe('the conversation list', () => {
  let http: HttpTestingController;
  let list: ConversationList;
  beforeEach(() => {
    http = httpTestBed();
    list = TestBed.inject(ConversationList);
  });
  afterEach(() => {
    vi.useRealTimers();
    http.verify();
  });

  async function loaded(...items: Conversation[]) {
    const loading = list.reload();
    http.expectOne('/api/v1/conversations?limit=30').flush({ items, nextCursor: 'next' });
    await loading;
  }

  it('loads pages, searches, and shows the archive', async () => {
    await loaded(conversation('a'), conversation('b'));
    expect(list.hasMore()).toBe(true);
    const more = list.more();
    http.expectOne('/api/v1/conversations?limit=30&cursor=next').flush({ items: [conversation('b'), conversation('c')], nextCursor: null });
    await more;
    expect(list.items().map((item) => item.id)).toEqual(['a', 'b', 'c']);
    const searching = list.search('revenue');
    http.expectOne('/api/v1/conversations?limit=30&q=revenue').flush({ items: [conversation('b')], nextCursor: null });
    await searching;
    expect(list.items().map((item) => item.id)).toEqual(['b']);
    list.query.set('');
    const archive = list.showArchived(true);
    http.expectOne('/api/v1/conversations?limit=30&archived=true').flush({ items: [], nextCursor: null });
    await archive;
    expect(list.items()).toEqual([]);
  });

  it('renames and pins in place, and puts a conversation just used at the top', async () => {
    await loaded(conversation('a'), conversation('b'));
    const renaming = list.rename('b', '  Ledger  ');
    const patch = http.expectOne('/api/v1/conversations/b');
    expect(patch.request.body).toEqual({ title: 'Ledger' });
    patch.flush({ ...conversation('b'), title: 'Ledger' });
    await renaming;
    expect(list.items()[1]!.title).toBe('Ledger');
    list.touched(list.items()[1]!);
    expect(list.items().map((item) => item.id)).toEqual(['b', 'a']);
  });

  it('deletes only once the Undo has gone, and Undo puts it back where it was', async () => {
    vi.useFakeTimers();
    await loaded(conversation('a'), conversation('b'), conversation('c'));
    list.remove(list.items()[1]!);
    expect(list.items().map((item) => item.id)).toEqual(['a', 'c']);
    expect(list.undoable()!.message).toBe('Deleted “b”');
    list.undoable()!.undo();
    expect(list.items().map((item) => item.id)).toEqual(['a', 'b', 'c']);
    vi.advanceTimersByTime(undoWindowMs + 1);
    http.expectNone('/api/v1/conversations/b');

    list.remove(list.items()[1]!);
    vi.advanceTimersByTime(undoWindowMs + 1);
    http.expectOne({ method: 'DELETE', url: '/api/v1/conversations/b' }).flush(null, { status: 204, statusText: 'No Content' });
    expect(list.undoable()).toBeNull();

    // Leaving the page sends a deletion still within its Undo at once, as a request that outlives the page.
    list.remove(list.items()[0]!);
    window.dispatchEvent(new Event('pagehide'));
    const leaving = http.expectOne({ method: 'DELETE', url: '/api/v1/conversations/a' });
    expect(leaving.request.keepalive).toBe(true);
    leaving.flush(null, { status: 204, statusText: 'No Content' });
    vi.advanceTimersByTime(undoWindowMs + 1);
    http.expectNone('/api/v1/conversations/a');
  });

  it('archives with an Undo that restores it, and says what the gateway refused', async () => {
    await loaded(conversation('a'), conversation('b'));
    const archiving = list.toggleArchive(list.items()[0]!);
    http.expectOne('/api/v1/conversations/a').flush({ ...conversation('a'), archived: true });
    await archiving;
    expect(list.items().map((item) => item.id)).toEqual(['b']);
    list.undoable()!.undo();
    const restore = http.expectOne('/api/v1/conversations/a');
    expect(restore.request.body).toEqual({ archived: false });
    restore.flush(conversation('a'));
    await microtasks();
    expect(list.items().map((item) => item.id)).toEqual(['a', 'b']);

    const pinning = list.togglePin(list.items()[0]!);
    http.expectOne('/api/v1/conversations/a').flush({ detail: 'No such conversation' }, { status: 404, statusText: 'Not Found' });
    await pinning;
    expect(list.error()).toBe('The conversation could not be pinned. No such conversation');
  });

  it('loads once per person: another person signing in, in this tab, does not see the first one’s list', async () => {
    const session = await signedInAs(http, { id: 'u1', email: 'ana@example.com', name: 'Ana', role: 'member' });
    const first = list.ensureLoaded();
    http.expectOne('/api/v1/conversations?limit=30').flush({ items: [conversation('ana-1')], nextCursor: null });
    await first;
    await list.ensureLoaded();
    http.expectNone('/api/v1/conversations?limit=30');

    const signingOut = session.signOut();
    http.expectOne('/api/v1/auth/logout').flush(null);
    await signingOut;
    await signedInAs(http, { id: 'u2', email: 'bo@example.com', name: 'Bo', role: 'member' });
    const second = list.ensureLoaded();
    expect(list.items()).toEqual([]);
    http.expectOne('/api/v1/conversations?limit=30').flush({ items: [conversation('bo-1')], nextCursor: null });
    await second;
    expect(list.items().map((item) => item.id)).toEqual(['bo-1']);
  });
});
