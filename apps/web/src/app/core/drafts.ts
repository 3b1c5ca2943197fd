/**
 * Messages being typed, kept in the tab's session storage per conversation, so that a reload or a
 * trip through sign-in (a session that ran out) does not lose them. Signing out forgets them.
 */
const prefix = 'dfc.draft.';

export const draftKey = (conversationId: string | null) => `${prefix}${conversationId ?? 'new'}`;

/** Forgets every draft of this tab (signing out: the next person at this browser does not see them). */
export function forgetDrafts(storage: Storage = sessionStorage): void {
  for (const key of Object.keys(storage)) if (key.startsWith(prefix)) storage.removeItem(key);
}
