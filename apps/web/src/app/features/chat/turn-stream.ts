import { type HttpClient, HttpErrorResponse, HttpEventType } from '@angular/common/http';
import { createParser } from 'eventsource-parser';
import { Observable, type Subscription } from 'rxjs';
import type { StreamedTurnEvent, TurnEvent } from './chat.model';

export interface FollowOptions {
  /** Resume after this event (the SSE `Last-Event-ID`). */
  readonly lastEventId?: string;
  /** Reconnections in a row before giving up. */
  readonly retries?: number;
  readonly retryDelayMs?: number;
}

/**
 * A turn's events (`GET /api/v1/turns/:turnId/events`), through HttpClient so that the session's
 * token and its silent refresh apply. A dropped connection, or a stream that ends before `done`,
 * is opened again with `Last-Event-ID`, so that no event is missed or seen twice; an HTTP error
 * (the turn is not the caller's, or no longer kept) ends the stream with that error.
 * Completes after `done`; unsubscribing hangs up.
 */
export function followTurn(http: HttpClient, url: string, options: FollowOptions = {}): Observable<StreamedTurnEvent> {
  const retries = options.retries ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  return new Observable<StreamedTurnEvent>((subscriber) => {
    let lastEventId = options.lastEventId;
    let failures = 0;
    let ended = false;
    let request: Subscription | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const reconnect = (error: unknown) => {
      if (ended) return;
      const status = error instanceof HttpErrorResponse ? error.status : 0;
      if (status !== 0 || ++failures > retries) {
        ended = true;
        subscriber.error(error ?? new Error('The answer’s stream ended before the answer did'));
        return;
      }
      timer = setTimeout(connect, retryDelayMs * failures);
    };

    function connect(): void {
      let read = 0;
      const parser = createParser({
        onEvent: ({ id, event, data }) => {
          if (!event || ended) return;
          const parsed = { ...(JSON.parse(data) as object), type: event } as TurnEvent;
          if (id) lastEventId = id;
          failures = 0;
          subscriber.next({ id: id ?? '', event: parsed });
          if (parsed.type === 'done') {
            ended = true;
            request?.unsubscribe();
            subscriber.complete();
          }
        },
      });
      const feed = (text: string | undefined | null) => {
        if (!text || text.length <= read) return;
        parser.feed(text.slice(read));
        read = text.length;
      };
      request = http
        .get(url, { observe: 'events', reportProgress: true, responseType: 'text', headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {} })
        .subscribe({
          next: (event) => {
            if (event.type === HttpEventType.DownloadProgress) feed(event.partialText);
            else if (event.type === HttpEventType.Response) feed(event.body);
          },
          error: reconnect,
          complete: () => reconnect(undefined),
        });
    }

    connect();
    return () => {
      ended = true;
      clearTimeout(timer);
      request?.unsubscribe();
    };
  });
}
