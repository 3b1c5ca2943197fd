import { HttpClient, HttpEventType } from '@angular/common/http';
import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { httpTestBed } from '../../testing/http-test-bed';
import type { StreamedTurnEvent } from './chat.model';
import { followTurn } from './turn-stream';

describe("following a turn's events", () => {
  let http: HttpTestingController;
  beforeEach(() => (http = httpTestBed()));
  afterEach(() => http.verify());

  it('parses the stream as it arrives, resumes after a dropped connection with Last-Event-ID, and completes after done', async () => {
    const seen: StreamedTurnEvent[] = [];
    let completed = false;
    followTurn(TestBed.inject(HttpClient), '/api/v1/turns/t1/events', { retryDelayMs: 1 }).subscribe({ next: (event) => seen.push(event), complete: () => (completed = true) });
    const first = http.expectOne('/api/v1/turns/t1/events');
    expect(first.request.headers.has('Last-Event-ID')).toBe(false);
    const part = 'id: 1-0\nevent: start\ndata: {"turnId":"t1","messageId":"m1"}\n\n: keep-alive\n\nid: 1-1\nevent: text-delta\ndata: {"te';
    first.event({ type: HttpEventType.DownloadProgress, loaded: part.length, partialText: part });
    first.event({ type: HttpEventType.DownloadProgress, loaded: part.length + 12, partialText: part + 'xt":"Hi"}\n\n' });
    first.error(new ProgressEvent('error'));
    expect(seen.map(({ id, event }) => [id, event.type])).toEqual([
      ['1-0', 'start'],
      ['1-1', 'text-delta'],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = http.expectOne('/api/v1/turns/t1/events');
    expect(second.request.headers.get('Last-Event-ID')).toBe('1-1');
    second.flush('id: 1-2\nevent: done\ndata: {"status":"complete","messageId":"m1"}\n\n');
    expect(seen.at(-1)!.event).toEqual({ type: 'done', status: 'complete', messageId: 'm1' });
    expect(completed).toBe(true);
  });

  it('ends with the error when the gateway refuses (a turn that is not the caller’s)', () => {
    let failed: unknown;
    followTurn(TestBed.inject(HttpClient), '/api/v1/turns/t2/events').subscribe({ error: (error: unknown) => (failed = error) });
    http.expectOne('/api/v1/turns/t2/events').flush({ detail: 'No such turn' }, { status: 404, statusText: 'Not Found' });
    expect(failed).toMatchObject({ status: 404 });
  });
});
