import type { Response } from 'express';

/** A signal that aborts when the client goes away before its response is complete. */
export function abortedOnDisconnect(response: Response): AbortController {
  const abort = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) abort.abort(new Error('The client disconnected'));
  });
  return abort;
}
