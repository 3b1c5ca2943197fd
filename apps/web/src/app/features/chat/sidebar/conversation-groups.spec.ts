import type { Conversation } from '../chat.model';
import { groupConversations, highlight } from './conversation-groups';

const at = (id: string, activeAt: string, pinned = false): Conversation => ({ id, title: id, pinned, archived: false, model: null, createdAt: activeAt, updatedAt: activeAt, activeAt });

describe('the sidebar groups and search highlights', () => {
  it('groups by the day last active, pinned ones first', () => {
    const now = new Date(2026, 11, 6, 15, 0);
    const items = [at('today', new Date(2026, 11, 6, 9).toISOString()), at('pinned', new Date(2026, 10, 1).toISOString(), true), at('yesterday', new Date(2026, 11, 5, 23).toISOString()), at('old', new Date(2026, 9, 1).toISOString())];
    expect(groupConversations(items, now).map((group) => [group.label, group.items.map((item) => item.id)])).toEqual([
      ['Pinned', ['pinned']],
      ['Today', ['today']],
      ['Yesterday', ['yesterday']],
      ['Earlier', ['old']],
    ]);
    expect(groupConversations([], now)).toEqual([]);
  });

  it('marks the words searched for, in any case, leaving the search syntax out', () => {
    expect(highlight('Revenue by region', 'revenue "by"')).toEqual([
      { text: 'Revenue', match: true },
      { text: ' ', match: false },
      { text: 'by', match: true },
      { text: ' region', match: false },
    ]);
    expect(highlight('Revenue (Q1)', '-revenue or (q1)')).toEqual([
      { text: 'Revenue ', match: false },
      { text: '(Q1)', match: true },
    ]);
    expect(highlight('Anything', '  ')).toEqual([{ text: 'Anything', match: false }]);
  });
});
