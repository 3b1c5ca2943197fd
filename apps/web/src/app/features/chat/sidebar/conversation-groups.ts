import type { Conversation } from '../chat.model';

export interface ConversationGroup {
  readonly label: 'Pinned' | 'Today' | 'Yesterday' | 'Earlier';
  readonly items: readonly Conversation[];
}

/** The sidebar's groups, in the list's order (most recently active first): pinned ones, then by the day they were last active, in the person's time zone. */
export function groupConversations(items: readonly Conversation[], now: Date): ConversationGroup[] {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const yesterday = today - 86_400_000;
  const groups: Record<ConversationGroup['label'], Conversation[]> = { Pinned: [], Today: [], Yesterday: [], Earlier: [] };
  for (const item of items) {
    const active = Date.parse(item.activeAt);
    groups[item.pinned ? 'Pinned' : active >= today ? 'Today' : active >= yesterday ? 'Yesterday' : 'Earlier'].push(item);
  }
  return (['Pinned', 'Today', 'Yesterday', 'Earlier'] as const).flatMap((label) => (groups[label].length ? [{ label, items: groups[label] }] : []));
}

export interface Segment {
  readonly text: string;
  readonly match: boolean;
}

/**
 * A title cut into the pieces that match the search's words and those that do not, for `<mark>`.
 * The search's own syntax (quotes, `or`, `-word`) is not highlighted.
 *
 * highlight('Revenue by region', 'revenue "by"') → [{Revenue, match}, {' ', -}, {by, match}, {' region', -}]
 */
export function highlight(title: string, query: string): Segment[] {
  const terms = query
    .split(/\s+/)
    .filter((term) => term && !term.startsWith('-') && term.toLowerCase() !== 'or')
    .map((term) => term.replace(/^"+|"+$/g, ''))
    .filter(Boolean)
    .map((term) => term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!terms.length) return [{ text: title, match: false }];
  // Split on a capturing group, the matches land at the odd places.
  return title
    .split(new RegExp(`(${terms.join('|')})`, 'gi'))
    .map((text, index) => ({ text, match: index % 2 === 1 }))
    .filter((segment) => segment.text);
}
