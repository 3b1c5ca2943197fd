import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { httpTestBed } from '../../testing/http-test-bed';
import { microtasks, settled } from '../../testing/settled';
import type { ChatModel } from '../../core/models.service';
import type { Conversation } from './chat.model';
import { ChatPage } from './chat.page';

const models: ChatModel[] = [
  { id: 'fast', label: 'Fast', provider: 'openai', default: true },
  { id: 'deep', label: 'Deep', provider: 'anthropic', default: false },
];
const conversation: Conversation = { id: 'c1', title: 'Sales', pinned: false, archived: false, model: null, createdAt: '2026-12-06T00:00:00Z', updatedAt: '2026-12-06T00:00:00Z', activeAt: '2026-12-06T00:00:00Z' };

describe('the chat page', () => {
  let http: HttpTestingController;
  beforeEach(() => {
    http = httpTestBed(provideRouter([]));
    sessionStorage.clear();
  });
  afterEach(() => http.verify());

  /** A new chat, with the models and the (empty) list answered. */
  async function newChat() {
    const fixture = TestBed.createComponent(ChatPage);
    await settled(fixture);
    for (const request of http.match('/api/v1/models')) request.flush(models);
    http.expectOne('/api/v1/conversations?limit=30').flush({ items: [], nextCursor: null });
    await settled(fixture);
    return { fixture, root: fixture.nativeElement as HTMLElement };
  }

  it('starts as a new chat: what the model is, an empty list that says what to do, and a model menu', async () => {
    const { root } = await newChat();
    expect(root.querySelector('[data-testid=model-status]')!.textContent).toContain('Fast');
    expect(root.textContent).toContain('No conversations yet. Ask a question to start one.');
    const menu = root.querySelector<HTMLSelectElement>('select[aria-label=Model]')!;
    expect(menu.value).toBe('fast');
  });

  it('sends the first message: the conversation is made with the model picked, then the page moves to its address', async () => {
    const { fixture, root } = await newChat();
    const menu = root.querySelector<HTMLSelectElement>('select[aria-label=Model]')!;
    menu.value = 'deep';
    menu.dispatchEvent(new Event('change'));
    const box = root.querySelector('textarea')!;
    box.value = 'Which region sells most?';
    box.dispatchEvent(new Event('input'));
    await settled(fixture);
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await microtasks();
    const create = http.expectOne('/api/v1/conversations');
    expect(create.request.body).toEqual({ model: 'deep' });
    create.flush({ ...conversation, model: 'deep' });
    await microtasks();
    const post = http.expectOne('/api/v1/conversations/c1/messages');
    expect(post.request.body).toEqual({ content: 'Which region sells most?', model: 'deep' });
    post.flush({ messageId: 'q1', turnId: 't1' });
    await microtasks();
    http.expectOne('/api/v1/conversations/c1/messages?limit=500').flush({ items: [], nextCursor: null });
    await microtasks();
    http.expectOne('/api/v1/turns/t1/events');
    http.expectOne('/api/v1/conversations/c1').flush({ ...conversation, model: 'deep' });
    await microtasks();
    expect(navigate).toHaveBeenCalledWith(['/c', 'c1']);
    fixture.destroy();
  });

  it('opens a new chat on Ctrl+Shift+O, and uploads files dropped anywhere on it', async () => {
    const { fixture, root } = await newChat();
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'O', ctrlKey: true, shiftKey: true }));
    expect(navigate).toHaveBeenCalledWith(['/']);

    const drop = new Event('drop', { cancelable: true }) as Event & { dataTransfer: unknown };
    drop.dataTransfer = { types: ['Files'], files: [new File(['a\n1\n'], 'one.csv', { type: 'text/csv' })] };
    root.dispatchEvent(drop);
    await settled(fixture);
    expect(drop.defaultPrevented).toBe(true);
    http.expectOne('/api/v1/files').flush({ id: 'u1', name: 'one.csv', size: 4, sha256: '', mimeType: 'text/csv', kind: 'csv', storagePath: 'uploads/u1/one.csv', uploadedAt: '' });
    await settled(fixture);
    expect(root.querySelector('[data-testid=attachment]')!.textContent).toContain('one.csv');
  });
});
