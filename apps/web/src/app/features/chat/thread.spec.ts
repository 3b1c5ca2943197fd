import type { Message } from './chat.model';
import { choose, thread } from './thread';

const message = (id: string, parentId: string | null, role: Message['role'] = 'user'): Message => ({ id, parentId, role, conversationId: 'c', status: 'complete', parts: [], model: null, createdAt: '2026-12-06T00:00:00Z' });

describe('the branch a conversation shows', () => {
  // q1 → a1, a1b (regenerated); q1 edited as q1b → a2
  const messages = [message('q1', null), message('a1', 'q1', 'assistant'), message('a1b', 'q1', 'assistant'), message('q1b', null), message('a2', 'q1b', 'assistant')];

  it('shows the newest version at each step, with where it stands among its siblings', () => {
    expect(thread(messages, {}).map((entry) => [entry.message.id, entry.index + 1, entry.siblings.length])).toEqual([
      ['q1b', 2, 2],
      ['a2', 1, 1],
    ]);
  });

  it('follows the versions chosen: choosing a message shows the whole line down to it', () => {
    const chosen = choose({}, messages, 'a1');
    expect(thread(messages, chosen).map((entry) => entry.message.id)).toEqual(['q1', 'a1']);
    expect(thread(messages, choose(chosen, messages, 'a1b')).map((entry) => entry.message.id)).toEqual(['q1', 'a1b']);
    expect(thread(messages, choose(chosen, messages, 'q1b')).map((entry) => entry.message.id)).toEqual(['q1b', 'a2']);
  });

  it('is empty for no messages, and ignores a choice of a message it does not have', () => {
    expect(thread([], {})).toEqual([]);
    expect(choose({}, messages, 'nope')).toEqual({});
  });
});
