import type { Message } from './chat.model';

/** A message on the branch shown, with its siblings (an edit's other versions, a regenerated answer's others) for the ‹ 2/3 › switcher. */
export interface ThreadEntry {
  readonly message: Message;
  /** The ids of the message and its siblings, oldest first. */
  readonly siblings: readonly string[];
  /** Where the message is among them. */
  readonly index: number;
}

/**
 * The branch to show: from the first message down, at each step the child `chosen` names, or
 * else the newest child (so a new edit or a regenerated answer is what shows).
 * Messages come oldest first, as the API lists them.
 *
 * thread([q1, a1, a1b (regenerated)], {})             → q1, a1b (2/2)
 * thread([q1, a1, a1b], { [q1.id]: a1.id })            → q1, a1 (1/2)
 */
export function thread(messages: readonly Message[], chosen: Readonly<Record<string, string>>): ThreadEntry[] {
  const children = new Map<string | null, Message[]>();
  for (const message of messages) {
    const siblings = children.get(message.parentId) ?? [];
    siblings.push(message);
    children.set(message.parentId, siblings);
  }
  const path: ThreadEntry[] = [];
  let parent: string | null = null;
  for (let guard = 0; guard <= messages.length; guard++) {
    const siblings = children.get(parent);
    if (!siblings?.length) break;
    const pick = siblings.findIndex((message) => message.id === chosen[parent ?? '']);
    const index = pick >= 0 ? pick : siblings.length - 1;
    const message = siblings[index]!;
    path.push({ message, siblings: siblings.map((sibling) => sibling.id), index });
    parent = message.id;
  }
  return path;
}

/** The choices that show `messageId`: at each step from the first message down to it, the version on its way. */
export function choose(chosen: Readonly<Record<string, string>>, messages: readonly Message[], messageId: string): Record<string, string> {
  const byId = new Map(messages.map((message) => [message.id, message]));
  const choices = { ...chosen };
  for (let message = byId.get(messageId), guard = 0; message && guard <= messages.length; message = message.parentId === null ? undefined : byId.get(message.parentId), guard++) {
    choices[message.parentId ?? ''] = message.id;
  }
  return choices;
}
