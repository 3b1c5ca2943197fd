import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { httpTestBed } from '../../testing/http-test-bed';
import { microtasks } from '../../testing/settled';
import type { Conversation, Message } from './chat.model';
import { ChatSession } from './chat-session';

const conversation: Conversation = { id: 'c1', title: 'Sales', pinned: false, archived: false, model: null, createdAt: '2026-12-06T00:00:00Z', updatedAt: '2026-12-06T00:00:00Z', activeAt: '2026-12-06T00:00:00Z' };
const message = (id: string, parentId: string | null, role: Message['role'], status: Message['status'], text = ''): Message => ({ id, parentId, role, status, conversationId: 'c1', parts: text ? [{ type: 'text', text }] : [], model: null, createdAt: '2026-12-06T00:00:00Z' });
const turns = (messages: Message[]) => ({ items: messages, nextCursor: null });
const sse = (...events: [string, string, object][]) => events.map(([id, type, data]) => `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`).join('');

describe('an open conversation', () => {
  let http: HttpTestingController;
  let session: ChatSession;
  beforeEach(() => {
    http = httpTestBed(ChatSession);
    session = TestBed.inject(ChatSession);
  });
  afterEach(() => http.verify());

  it('picks up a turn still running when it is opened (a reload, a second tab), and shows the saved answer once it is done', async () => {
    const opening = session.open('c1');
    http.expectOne('/api/v1/conversations/c1').flush(conversation);
    http.expectOne('/api/v1/conversations/c1/messages?limit=500').flush(turns([message('q1', null, 'user', 'complete', 'Hi?'), message('a1', 'q1', 'assistant', 'streaming', 'Hel')]));
    http.expectOne('/api/v1/conversations/c1/turns').flush([{ turnId: 't1', messageId: 'a1', model: null, status: 'running', startedAt: '' }]);
    await opening;
    expect(session.running()).toBe(true);
    http.expectOne('/api/v1/turns/t1/events').flush(sse(['1-0', 'start', { messageId: 'a1' }], ['1-1', 'text-delta', { text: 'Hello' }], ['1-2', 'done', { status: 'complete', messageId: 'a1' }]));
    expect(session.answerOf(session.entries()[1]!.message).blocks).toEqual([{ kind: 'text', text: 'Hello' }]);
    await microtasks();
    http.expectOne('/api/v1/conversations/c1/messages?limit=500').flush(turns([message('q1', null, 'user', 'complete', 'Hi?'), message('a1', 'q1', 'assistant', 'complete', 'Hello')]));
    await microtasks();
    http.expectOne('/api/v1/conversations/c1').flush(conversation);
    await microtasks();
    expect(session.running()).toBe(false);
    expect(session.answerOf(session.entries()[1]!.message)).toEqual({ status: 'complete', blocks: [{ kind: 'text', text: 'Hello' }] });
  });

  it('creates the conversation for a new chat, sends, follows the answer, and stops it or answers its approval', async () => {
    await session.open(null);
    const sending = session.send({ content: 'Make a table', model: 'gpt' });
    const create = http.expectOne('/api/v1/conversations');
    expect(create.request.body).toEqual({ model: 'gpt' });
    create.flush(conversation);
    await microtasks();
    const post = http.expectOne('/api/v1/conversations/c1/messages');
    expect(post.request.body).toEqual({ content: 'Make a table', model: 'gpt' });
    post.flush({ messageId: 'q1', turnId: 't1' });
    await microtasks();
    http.expectOne('/api/v1/conversations/c1/messages?limit=500').flush(turns([message('q1', null, 'user', 'complete', 'Make a table'), message('a1', 'q1', 'assistant', 'streaming')]));
    await microtasks();
    const events = http.expectOne('/api/v1/turns/t1/events');
    events.event({ type: 3, loaded: 1, partialText: sse(['1-0', 'start', { messageId: 'a1' }], ['1-1', 'approval-required', { toolCallId: 'k1', server: 'sqlite', tool: 'create_table', arguments: {} }]) });
    http.expectOne('/api/v1/conversations/c1').flush(conversation);
    expect(await sending).toEqual(conversation);

    void session.approve('k1', 'approve', 'always');
    expect(http.expectOne('/api/v1/turns/t1/approvals').request.body).toEqual({ toolCallId: 'k1', decision: 'approve', remember: 'always' });
    void session.stop();
    http.expectOne('/api/v1/turns/t1/cancel').flush({ turnId: 't1', status: 'cancelling' }, { status: 202, statusText: 'Accepted' });
    events.flush(sse(['1-0', 'start', { messageId: 'a1' }], ['1-1', 'approval-required', { toolCallId: 'k1', server: 'sqlite', tool: 'create_table', arguments: {} }], ['1-2', 'done', { status: 'cancelled', messageId: 'a1' }]));
    expect(session.answerOf(session.entries()[1]!.message).status).toBe('cancelled');
    await microtasks();
    http.expectOne('/api/v1/conversations/c1/messages?limit=500').flush(turns([message('q1', null, 'user', 'complete', 'Make a table'), message('a1', 'q1', 'assistant', 'cancelled')]));
    await microtasks();
    http.expectOne('/api/v1/conversations/c1').flush(conversation);
    await microtasks();
  });

  it('edits a question as a sibling branch, keeps a model picked for the conversation, regenerates an answer, and says what failed', async () => {
    const opening = session.open('c1');
    http.expectOne('/api/v1/conversations/c1').flush(conversation);
    http.expectOne('/api/v1/conversations/c1/messages?limit=500').flush(turns([message('q1', null, 'user', 'complete', 'Hi?'), message('a1', 'q1', 'assistant', 'complete', 'Hello')]));
    http.expectOne('/api/v1/conversations/c1/turns').flush([]);
    await opening;
    void session.edit(session.entries()[0]!.message, 'Hi again?');
    await microtasks();
    const post = http.expectOne('/api/v1/conversations/c1/messages');
    expect(post.request.body).toEqual({ content: 'Hi again?', parentId: null });
    post.flush({ detail: 'The conversation is busy' }, { status: 409, statusText: 'Conflict' });
    await microtasks();
    expect(session.error()).toBe('The conversation is busy');

    const choosing = session.chooseModel('deep');
    const patch = http.expectOne('/api/v1/conversations/c1');
    expect(patch.request.body).toEqual({ model: 'deep' });
    patch.flush({ ...conversation, model: 'deep' });
    await choosing;
    expect(session.conversation()!.model).toBe('deep');
    await session.chooseModel('deep');
    http.expectNone('/api/v1/conversations/c1');

    void session.regenerate(session.entries()[1]!.message);
    http.expectOne('/api/v1/messages/a1/regenerate').flush({ detail: 'The answer is still being written' }, { status: 409, statusText: 'Conflict' });
    await microtasks();
    expect(session.error()).toBe('The answer is still being written');
  });
});
