import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';
import type { ResultTable } from '../chat.model';

type Row = Record<string, unknown>;

/** A cell as text: numbers and dates as they came, objects as JSON, nothing for null. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Rows ordered by a column: numbers as numbers, text by the locale, empty cells last either way. */
export function sortRows(rows: readonly Row[], column: string | null, direction: 'ascending' | 'descending'): readonly Row[] {
  if (!column) return rows;
  const sign = direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a[column];
    const y = b[column];
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
    if (y === null || y === undefined) return -1;
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * sign;
    return cellText(x).localeCompare(cellText(y), undefined, { numeric: true }) * sign;
  });
}

/** RFC 4180 CSV: a header line, then a line per row; fields with a comma, quote or line break are quoted. */
export function toCsv(columns: readonly { name: string }[], rows: readonly Row[]): string {
  const field = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return [columns.map((column) => field(column.name)), ...rows.map((row) => columns.map((column) => field(cellText(row[column.name]))))].map((line) => line.join(',')).join('\r\n') + '\r\n';
}

/** Saves text, or what a `data:` or `blob:` URL holds, as a file the browser downloads. */
export function download(name: string, content: string, type = 'text/plain'): void {
  const isUrl = /^(data|blob):/.test(content);
  const url = isUrl ? content : URL.createObjectURL(new Blob([content], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  if (!isUrl) setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A tool's table result: sortable by any column, in pages, and downloadable as CSV. */
@Component({
  selector: 'app-result-table',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="table-scroll" role="region" [attr.aria-label]="caption()" tabindex="0">
      <table data-testid="result-table">
        <caption class="visually-hidden">{{ caption() }}</caption>
        <thead>
          <tr>
            @for (column of table().columns; track column.name) {
              <th scope="col" [attr.aria-sort]="sortColumn() === column.name ? direction() : null">
                <button type="button" class="sort" (click)="sortBy(column.name)">
                  {{ column.name }}
                  <span aria-hidden="true">{{ sortColumn() === column.name ? (direction() === 'ascending' ? '▲' : '▼') : '' }}</span>
                </button>
                @if (column.type) {
                  <span class="type">{{ column.type }}</span>
                }
              </th>
            }
          </tr>
        </thead>
        <tbody>
          @for (row of pageRows(); track $index) {
            <tr>
              @for (column of table().columns; track column.name) {
                <td>{{ cell(row[column.name]) }}</td>
              }
            </tr>
          }
        </tbody>
      </table>
    </div>
    <div class="table-footer">
      <span>{{ summary() }}</span>
      @if (pages() > 1) {
        <span class="pager">
          <button type="button" (click)="page.set(page() - 1)" [disabled]="page() === 0" aria-label="Previous page">‹</button>
          <span>Page {{ page() + 1 }} of {{ pages() }}</span>
          <button type="button" (click)="page.set(page() + 1)" [disabled]="page() + 1 >= pages()" aria-label="Next page">›</button>
        </span>
      }
      <button type="button" (click)="downloadCsv()">Download CSV</button>
    </div>
  `,
  styles: `
    .table-scroll { overflow: auto; max-block-size: 28rem; border: 1px solid var(--border); border-radius: 0.4rem; }
    table { border-collapse: collapse; inline-size: 100%; font-size: 0.875rem; }
    th, td { padding: 0.3rem 0.6rem; border-block-end: 1px solid var(--border); text-align: start; white-space: nowrap; }
    th { position: sticky; inset-block-start: 0; background: var(--surface); }
    .sort { all: unset; cursor: pointer; font-weight: 600; }
    .sort:focus-visible { outline: 2px solid var(--accent); }
    .type { display: block; font-weight: 400; color: var(--text-muted); font-size: 0.75rem; }
    .table-footer { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; justify-content: space-between; margin-block-start: 0.4rem; font-size: 0.875rem; color: var(--text-muted); }
    .pager { display: inline-flex; gap: 0.4rem; align-items: center; }
  `,
})
export class ResultTableComponent {
  readonly table = input.required<ResultTable>();
  readonly name = input('result');
  readonly pageSize = input(10);

  protected readonly sortColumn = signal<string | null>(null);
  protected readonly direction = signal<'ascending' | 'descending'>('ascending');
  protected readonly page = signal(0);
  protected readonly cell = cellText;

  private readonly sorted = computed(() => sortRows(this.table().rows, this.sortColumn(), this.direction()));
  protected readonly pages = computed(() => Math.max(1, Math.ceil(this.table().rows.length / this.pageSize())));
  protected readonly pageRows = computed(() => this.sorted().slice(this.page() * this.pageSize(), (this.page() + 1) * this.pageSize()));
  protected readonly caption = computed(() => `Result of ${this.name()}: ${this.table().columns.length} columns`);
  protected readonly summary = computed(() => {
    const { rows, rowCount } = this.table();
    const shown = rows.length.toLocaleString();
    return rowCount !== undefined && rowCount > rows.length ? `${shown} of ${rowCount.toLocaleString()} rows` : `${shown} ${rows.length === 1 ? 'row' : 'rows'}`;
  });

  protected sortBy(column: string): void {
    if (this.sortColumn() === column) this.direction.set(this.direction() === 'ascending' ? 'descending' : 'ascending');
    else {
      this.sortColumn.set(column);
      this.direction.set('ascending');
    }
    this.page.set(0);
  }

  protected downloadCsv(): void {
    download(`${this.name()}.csv`, toCsv(this.table().columns, this.sorted()), 'text/csv');
  }
}
