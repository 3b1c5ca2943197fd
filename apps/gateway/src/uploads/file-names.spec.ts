import { extensionOf, maxFileNameBytes, sanitizeFileName } from './file-names.js';

describe('sanitizeFileName', () => {
  it.each([
    ['sales.csv', 'sales.csv'],
    ['../../../etc/passwd.csv', 'passwd.csv'],
    ['..\\..\\windows\\system.ini.csv', 'system.ini.csv'],
    ['C:\\Users\\ann\\report.xlsx', 'report.xlsx'],
    ['données été — 数据 (2024).csv', 'données été — 数据 (2024).csv'],
    ['a<b>c:"d|e?f*.csv', 'a_b_c__d_e_f_.csv'],
    ['line\r\nbreak\t\u0000.csv', 'line break .csv'],
    ['invoice\u202Evsc.exe', 'invoicevsc.exe'],
    ['   spaced    out   .tsv', 'spaced out .tsv'],
    ['.hidden.csv', 'hidden.csv'],
    ['.csv', 'upload.csv'],
    ['..', 'upload'],
    ['trailing dots...', 'trailing dots'],
    ['CON.csv', '_CON.csv'],
    ['', 'upload'],
    [undefined, 'upload'],
    ['/', 'upload'],
    ['\u0007\u0008', 'upload'],
  ])('%j becomes %j', (raw, expected) => {
    expect(sanitizeFileName(raw)).toBe(expected);
  });

  it('keeps composed unicode (NFC), so that one name is stored one way', () => {
    expect(sanitizeFileName('cafe\u0301.csv')).toBe('caf\u00e9.csv');
  });

  it(`shortens long names to ${maxFileNameBytes} bytes of UTF-8, keeping the extension and whole characters`, () => {
    const name = sanitizeFileName(`${'数'.repeat(300)}.parquet`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(maxFileNameBytes);
    expect(name).toMatch(/^数+\.parquet$/);
    expect(sanitizeFileName('x'.repeat(1000))).toBe('x'.repeat(maxFileNameBytes));
  });

  it('never leaves a path separator, a control character or a leading dot', () => {
    for (const raw of ['a/b\\c', '\u0000../x', '.\u202E./..', '....//....//x.md', 'é\u0085x.txt']) {
      const name = sanitizeFileName(raw);
      expect(name).not.toMatch(/[/\\\p{Cc}]|^\./u);
      expect(name.length).toBeGreaterThan(0);
    }
  });
});

describe('extensionOf', () => {
  it.each([
    ['a.CSV', 'csv'],
    ['archive.tar.gz', 'gz'],
    ['noext', ''],
    ['upload.csv', 'csv'],
  ])('%s → %j', (name, extension) => expect(extensionOf(name)).toBe(extension));
});
