import type { TurnControl } from '@dataflow/shared';

type Decision = Extract<TurnControl, { type: 'approval' }>['decision'];

/** Why a wait for approval ended without the user's answer. */
export type Unanswered = 'timeout';

/**
 * The tool calls of this replica's turns that wait for the user's approval. The user's answer may
 * reach any replica; it arrives here through the turns' control channel.
 */
export class ApprovalWaits {
  private readonly waiting = new Map<string, (decision: Decision | Unanswered) => void>();

  constructor(readonly timeoutMs: number) {}

  /** Resolves with the user's decision, or 'timeout'; rejects when the turn is cancelled. */
  wait(turnId: string, toolCallId: string, signal: AbortSignal): Promise<Decision | Unanswered> {
    const key = `${turnId}:${toolCallId}`;
    return new Promise((resolve, reject) => {
      const end = (outcome: Decision | Unanswered | Error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', cancelled);
        this.waiting.delete(key);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const cancelled = () => end(signal.reason instanceof Error ? signal.reason : new Error('The turn was cancelled'));
      const timer = setTimeout(() => end('timeout'), this.timeoutMs);
      if (signal.aborted) return cancelled();
      signal.addEventListener('abort', cancelled, { once: true });
      this.waiting.set(key, end);
    });
  }

  /** A decision for a call this replica waits on; others' are ignored. */
  decide(turnId: string, toolCallId: string, decision: Decision): void {
    this.waiting.get(`${turnId}:${toolCallId}`)?.(decision);
  }
}
