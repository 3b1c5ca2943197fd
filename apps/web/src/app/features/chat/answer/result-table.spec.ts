import { TestBed } from '@angular/core/testing';
import { settled } from '../../../testing/settled';
import { ResultTableComponent, sortRows, toCsv } from './result-table';

describe('a table result', () => {
  it('sorts numbers as numbers and text by the locale, empty cells last', () => {
    const rows = [{ n: 10, s: 'b' }, { n: 9, s: null }, { n: null, s: 'a10' }, { n: 100, s: 'a9' }];
    expect(sortRows(rows, 'n', 'ascending').map((row) => row['n'])).toEqual([9, 10, 100, null]);
    expect(sortRows(rows, 'n', 'descending').map((row) => row['n'])).toEqual([100, 10, 9, null]);
    expect(sortRows(rows, 's', 'ascending').map((row) => row['s'])).toEqual(['a9', 'a10', 'b', null]);
    expect(sortRows(rows, null, 'ascending')).toBe(rows);
  });

  it('writes RFC 4180 CSV, quoting what needs it', () => {
    expect(toCsv([{ name: 'name' }, { name: 'note' }], [{ name: 'Ana', note: 'said "hi", left' }, { name: 'Bo', note: null }, { name: 'Cy', note: { a: 1 } }])).toBe(
      'name,note\r\nAna,"said ""hi"", left"\r\nBo,\r\nCy,"{""a"":1}"\r\n',
    );
  });

  it('shows a page at a time, sorts on a header click, and says how many rows there are in all', async () => {
    const fixture = TestBed.createComponent(ResultTableComponent);
    fixture.componentRef.setInput('table', { columns: [{ name: 'n', type: 'INTEGER' }], rows: Array.from({ length: 25 }, (_, index) => ({ n: index })), rowCount: 1000 });
    await settled(fixture);
    const root = fixture.nativeElement as HTMLElement;
    const cells = () => [...root.querySelectorAll('tbody td')].map((cell) => cell.textContent!.trim());
    expect(cells()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(root.textContent).toContain('25 of 1,000 rows');
    expect(root.textContent).toContain('Page 1 of 3');
    root.querySelector<HTMLButtonElement>('[aria-label="Next page"]')!.click();
    await settled(fixture);
    expect(cells()[0]).toBe('10');
    root.querySelector<HTMLButtonElement>('th button')!.click();
    root.querySelector<HTMLButtonElement>('th button')!.click();
    await settled(fixture);
    expect(cells()[0]).toBe('24');
    expect(root.querySelector('th')!.getAttribute('aria-sort')).toBe('descending');
  });
});
