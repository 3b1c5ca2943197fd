import { draftKey, forgetDrafts } from './drafts';

describe('drafts', () => {
  it('keeps one per conversation, and signing out forgets them all, nothing else', () => {
    sessionStorage.clear();
    sessionStorage.setItem(draftKey('c1'), 'half');
    sessionStorage.setItem(draftKey(null), 'new');
    sessionStorage.setItem('other', 'kept');
    expect(draftKey(null)).toBe('dfc.draft.new');
    forgetDrafts();
    expect(Object.keys(sessionStorage)).toEqual(['other']);
  });
});
