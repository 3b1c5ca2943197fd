import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { formatSize } from '../../core/format';
import { ingestionLabel, ingestionRunning, ingestionStartable, type Upload } from './files.model';
import { httpTestBed } from '../../testing/http-test-bed';
import { settled } from '../../testing/settled';
import { FilesPage } from './files.page';

const sales: Upload = {
  id: 'f1',
  name: 'sales.csv',
  size: 2_500_000,
  sha256: 'a'.repeat(64),
  mimeType: 'text/csv',
  kind: 'csv',
  storagePath: 'uploads/f1/sales.csv',
  uploadedAt: '2026-12-06T10:00:00.000Z',
};
const usage = { usedBytes: 2_500_000, quotaBytes: 5e9, cache: { bytes: 1_200_000, limitBytes: 2e9 } };

describe('the files page', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    http = httpTestBed(provideRouter([]));
  });

  afterEach(() => http.verify());

  async function opened() {
    const fixture = TestBed.createComponent(FilesPage);
    http.expectOne('/api/v1/files?limit=50').flush({ items: [sales], nextCursor: null });
    await settled(fixture);
    http.expectOne('/api/v1/files/f1/ingestion').flush({ state: 'ingesting', progress: 0.4 });
    http.expectOne('/api/v1/files/usage').flush(usage);
    await settled(fixture);
    return { fixture, root: fixture.nativeElement as HTMLElement };
  }

  it('lists the files with size, type and where each stands with the cache, and what they take against the quota', async () => {
    const { root } = await opened();
    const row = root.querySelector('[data-testid=file-row]')!;
    expect(row.textContent).toContain('sales.csv');
    expect(row.textContent).toContain('2.5 MB');
    expect(row.textContent).toContain('CSV');
    expect(row.querySelector('[data-testid=ingestion]')!.textContent).toContain('Ingesting 40%');
    expect(row.querySelector<HTMLProgressElement>('progress')!.value).toBe(40);
    expect(root.querySelector('[data-testid=usage]')!.textContent).toBe('Your files take 2.5 MB of your 5 GB. The columnar cache that makes questions fast takes 1.2 MB more (at most 2 GB).');
  });

  it('follows a running ingestion, cancels it, and starts it again', async () => {
    vi.useFakeTimers();
    try {
      const { fixture, root } = await opened();
      vi.advanceTimersByTime(1_000);
      http.expectOne('/api/v1/files/f1/ingestion').flush({ state: 'ingesting', progress: 0.8 });
      await settled(fixture);
      expect(root.querySelector('[data-testid=ingestion]')!.textContent).toContain('Ingesting 80%');

      root.querySelector<HTMLButtonElement>('[aria-label="Cancel the ingestion of sales.csv"]')!.click();
      const cancel = http.expectOne('/api/v1/files/f1/ingestion');
      expect(cancel.request.method).toBe('DELETE');
      cancel.flush({ state: 'cancelled', progress: null });
      await settled(fixture);
      expect(root.querySelector('[data-testid=ingestion]')!.textContent).toContain('Not ingested (cancelled)');
      // Nothing runs: nothing is asked.
      vi.advanceTimersByTime(3_000);
      http.expectNone('/api/v1/files/f1/ingestion');

      root.querySelector<HTMLButtonElement>('[aria-label="Ingest sales.csv"]')!.click();
      const start = http.expectOne('/api/v1/files/f1/ingestion');
      expect(start.request.method).toBe('POST');
      start.flush({ state: 'hashing', progress: 0.05 });
      await settled(fixture);
      expect(root.querySelector('[data-testid=ingestion]')!.textContent).toContain('Reading the file 5%');
    } finally {
      vi.useRealTimers();
    }
  });

  it('uploads with a progress bar, shows the new file first and its first rows, and can cancel an upload', async () => {
    const { fixture, root } = await opened();
    const page = fixture.componentInstance;
    page.send([new File(['id,amount\n1,2\n'], 'more.csv', { type: 'text/csv' })]);
    const upload = http.expectOne('/api/v1/files');
    expect(upload.request.body).toBeInstanceOf(FormData);
    upload.event({ type: 1, loaded: 5, total: 10 });
    await settled(fixture);
    expect(root.querySelector<HTMLProgressElement>('[aria-label="Uploading more.csv"]')!.value).toBe(50);
    upload.flush({ ...sales, id: 'f2', name: 'more.csv', storagePath: 'uploads/f2/more.csv' });
    await settled(fixture);
    http.expectOne('/api/v1/files/usage').flush(usage);
    http
      .expectOne('/api/v1/files/f2')
      .flush({ ...sales, id: 'f2', name: 'more.csv', preview: { columns: [{ name: 'id', type: 'BIGINT' }, { name: 'amount', type: 'BIGINT' }], rows: [{ id: 1, amount: 2 }], rowCount: 1 }, ingestion: { state: 'queued', progress: 0.2 } });
    await settled(fixture);
    expect([...root.querySelectorAll('[data-testid=file-row]')].map((row) => row.getAttribute('data-name'))).toEqual(['more.csv', 'sales.csv']);
    expect(root.querySelector('[data-testid=sending]')!.textContent).toContain('Uploaded');
    expect(root.querySelector('[data-testid=preview]')!.textContent).toContain('First 1 of 1 rows');

    page.send([new File(['x'], 'big.csv')]);
    const second = http.expectOne('/api/v1/files');
    await settled(fixture);
    root.querySelectorAll<HTMLButtonElement>('[data-testid=sending] button')[1]!.click();
    expect(second.cancelled).toBe(true);
    await settled(fixture);
    expect(root.querySelectorAll('[data-testid=sending]')[1]!.textContent).toContain('Cancelled');
  });

  it("says why an upload was refused, in the gateway's words", async () => {
    const { fixture, root } = await opened();
    fixture.componentInstance.send([new File(['MZ'], 'tool.csv')]);
    http.expectOne('/api/v1/files').flush({ detail: 'tool.csv is not CSV text: it is a Windows executable' }, { status: 415, statusText: 'Unsupported Media Type' });
    await settled(fixture);
    expect(root.querySelector('[data-testid=sending] [role=alert]')!.textContent).toContain('Not uploaded: tool.csv is not CSV text');
  });

  it('asks before it deletes, then deletes', async () => {
    const { fixture, root } = await opened();
    root.querySelector<HTMLButtonElement>('[aria-label="Delete sales.csv"]')!.click();
    await settled(fixture);
    [...root.querySelectorAll<HTMLButtonElement>('button')].find((button) => button.textContent === 'Delete sales.csv')!.click();
    const deletion = http.expectOne('/api/v1/files/f1');
    expect(deletion.request.method).toBe('DELETE');
    deletion.flush(null, { status: 204, statusText: 'No Content' });
    await settled(fixture);
    http.expectOne('/api/v1/files/usage').flush(usage);
    await settled(fixture);
    expect(root.querySelectorAll('[data-testid=file-row]')).toHaveLength(0);
    expect(root.textContent).toContain('sales.csv was deleted.');
    expect(root.textContent).toContain('No files yet.');
  });
});

describe('the files model', () => {
  it('says where an ingestion stands in words, and what can be done about it', () => {
    expect(ingestionLabel({ state: 'ingested', progress: 1 })).toBe('Ingested: questions are fast');
    expect(ingestionLabel({ state: 'failed', progress: null, error: 'it ran too long' })).toBe('Not ingested (it ran too long): questions read the file itself');
    expect(['pending', 'hashing', 'queued', 'ingesting', 'ingested', 'cancelled', 'failed'].map((state) => [ingestionRunning({ state: state as never, progress: null }), ingestionStartable({ state: state as never, progress: null })])).toEqual([
      [false, true],
      [true, false],
      [true, false],
      [true, false],
      [false, false],
      [false, true],
      [false, true],
    ]);
    expect([formatSize(12), formatSize(1), formatSize(1_500), formatSize(1.5e9)]).toEqual(['12 bytes', '1 byte', '1.5 KB', '1.5 GB']);
  });
});
