/** The files API's shapes (`/api/v1/files`), as the gateway's OpenAPI gives them. */

export type UploadKind = 'csv' | 'tsv' | 'xlsx' | 'parquet' | 'json' | 'ndjson' | 'sqlite' | 'txt' | 'md';

export interface Upload {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly mimeType: string;
  readonly kind: UploadKind;
  readonly storagePath: string;
  readonly uploadedAt: string;
}

export type IngestionState = 'pending' | 'hashing' | 'queued' | 'ingesting' | 'ingested' | 'cancelled' | 'failed';

export interface Ingestion {
  readonly state: IngestionState;
  /** 0 to 1 while it runs, 1 once ingested, null otherwise. */
  readonly progress: number | null;
  readonly error?: string;
}

export interface UploadDetail extends Upload {
  readonly preview: { readonly columns: readonly { name: string; type: string }[]; readonly rows: readonly Record<string, unknown>[]; readonly rowCount: number } | null;
  readonly previewError?: string;
  readonly ingestion: Ingestion | null;
}

export interface Usage {
  readonly usedBytes: number;
  readonly quotaBytes: number;
  readonly cache: { readonly bytes: number; readonly limitBytes: number } | null;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** The kinds the data server's columnar cache ingests. */
export const ingestedKinds: readonly UploadKind[] = ['csv', 'tsv', 'json', 'ndjson'];

/** An ingestion on its way, to be asked about again. */
export const ingestionRunning = (ingestion: Ingestion | null | undefined): boolean =>
  ingestion?.state === 'hashing' || ingestion?.state === 'queued' || ingestion?.state === 'ingesting';

/** An ingestion that can be started: never asked for, cancelled, or failed. */
export const ingestionStartable = (ingestion: Ingestion | null | undefined): boolean =>
  ingestion?.state === 'pending' || ingestion?.state === 'cancelled' || ingestion?.state === 'failed';

/** Where a file stands with the columnar cache, in words. */
export function ingestionLabel(ingestion: Ingestion): string {
  const percent = ingestion.progress === null ? '' : ` ${Math.round(ingestion.progress * 100)}%`;
  switch (ingestion.state) {
    case 'pending':
      return 'Not ingested yet: questions read the file itself';
    case 'hashing':
      return `Reading the file${percent}`;
    case 'queued':
      return 'Queued behind another file';
    case 'ingesting':
      return `Ingesting${percent}`;
    case 'ingested':
      return 'Ingested: questions are fast';
    case 'cancelled':
      return 'Not ingested (cancelled): questions read the file itself';
    case 'failed':
      return `Not ingested${ingestion.error ? ` (${ingestion.error})` : ''}: questions read the file itself`;
  }
}

/** One file being sent, as the upload list shows it. */
export interface Sending {
  readonly key: number;
  readonly name: string;
  readonly size: number;
  /** 0 to 1. */
  readonly progress: number;
  readonly state: 'sending' | 'done' | 'failed' | 'cancelled';
  readonly error?: string;
}
