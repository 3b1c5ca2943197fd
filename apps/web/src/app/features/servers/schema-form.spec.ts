import { argumentsOf, formOf, initialValues, optionLabel, parseRawArguments, valuesOf } from './schema-form';

/** A schema as the data server's zod tools send it, with one property of each kind. */
const schema = {
  type: 'object',
  properties: {
    sql: { type: 'string', minLength: 1, maxLength: 100_000, description: 'one SELECT statement' },
    x: { type: 'string', description: 'column for the x axis' },
    title: { type: 'string', maxLength: 200, title: 'Chart title' },
    email: { type: 'string', format: 'email' },
    since: { type: 'string', format: 'date' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    ratio: { type: 'number' },
    dryRun: { type: 'boolean', description: 'only say what would happen' },
    overwrite: { type: 'boolean', default: true },
    mark: { type: 'string', enum: ['bar', 'line', 'point'] },
    level: { enum: [1, 2, 3], default: 2 },
    mode: { anyOf: [{ const: 'fast' }, { const: 'exact' }] },
    columns: { type: 'array', items: { type: 'string' } },
    options: { type: 'object', additionalProperties: true },
    nullableName: { anyOf: [{ type: 'string' }, { type: 'null' }], description: 'a name, or null' },
    shape: { oneOf: [{ type: 'string' }, { type: 'number' }] },
  },
  required: ['sql', 'x', 'mark', 'columns', 'dryRun'],
};

describe('a tool schema as a form', () => {
  it('gives each property the control its type calls for, in order, with required marked and descriptions kept', () => {
    const fields = formOf(schema);
    expect(fields.map((field) => [field.name, field.kind, field.required])).toEqual([
      ['sql', 'textarea', true],
      ['x', 'text', true],
      ['title', 'text', false],
      ['email', 'text', false],
      ['since', 'text', false],
      ['limit', 'integer', false],
      ['ratio', 'number', false],
      ['dryRun', 'boolean', true],
      ['overwrite', 'boolean', false],
      ['mark', 'enum', true],
      ['level', 'enum', false],
      ['mode', 'enum', false],
      ['columns', 'json', true],
      ['options', 'json', false],
      ['nullableName', 'text', false],
      ['shape', 'json', false],
    ]);
    const byName = Object.fromEntries(fields.map((field) => [field.name, field]));
    expect(byName['sql']!.description).toBe('one SELECT statement');
    expect(byName['title']!.title).toBe('Chart title');
    expect([byName['email']!.inputType, byName['since']!.inputType, byName['x']!.inputType]).toEqual(['email', 'date', 'text']);
    expect([byName['limit']!.minimum, byName['limit']!.maximum]).toEqual([1, 1000]);
    expect(byName['mark']!.options).toEqual(['bar', 'line', 'point']);
    expect(byName['mode']!.options).toEqual(['fast', 'exact']);
    expect([byName['columns']!.jsonType, byName['options']!.jsonType, byName['shape']!.jsonType]).toEqual(['array', 'object', undefined]);
    expect(byName['nullableName']!.description).toBe('a name, or null');
    expect(formOf({ type: 'object' })).toEqual([]);
    expect([optionLabel('bar'), optionLabel(2), optionLabel(null)]).toEqual(['bar', '2', 'null']);
  });

  it('starts from the defaults', () => {
    const values = initialValues(formOf(schema));
    expect(values).toMatchObject({ sql: '', limit: '100', dryRun: false, overwrite: true, mark: '', level: '1', columns: '' });
  });

  it('says what is missing or wrong beside each field, and sends nothing for empty optional ones', () => {
    const fields = formOf(schema);
    const empty = argumentsOf(fields, initialValues(fields));
    expect(empty.errors).toEqual({
      sql: 'Required: fill this in.',
      x: 'Required: fill this in.',
      mark: 'Required: choose one.',
      columns: 'Required: enter a JSON value.',
    });

    const wrong = argumentsOf(fields, { ...initialValues(fields), sql: 'SELECT 1', x: 'day', mark: '0', columns: '["a",', limit: '2.5', ratio: 'lots', options: '[1]' });
    expect(wrong.errors).toEqual({
      columns: expect.stringMatching(/^This is not valid JSON: /),
      limit: 'Enter a whole number.',
      ratio: 'Enter a number.',
      options: 'Enter a JSON object, such as {"key": "value"}.',
    });
    expect(argumentsOf(fields, { ...initialValues(fields), limit: '0' }).errors['limit']).toBe('Enter 1 or more.');
    expect(argumentsOf(fields, { ...initialValues(fields), limit: '5000' }).errors['limit']).toBe('Enter 1000 or less.');
    expect(argumentsOf(fields, { ...initialValues(fields), columns: '{}' }).errors['columns']).toBe('Enter a JSON array, such as ["a", "b"].');
  });

  it('turns the values into typed arguments', () => {
    const fields = formOf(schema);
    const { arguments: args, errors } = argumentsOf(fields, {
      ...initialValues(fields),
      sql: 'SELECT *\nFROM sales',
      x: 'day',
      mark: '1',
      level: '2',
      mode: '1',
      columns: '["day", "amount"]',
      options: '{"stack": true}',
      ratio: '0.5',
      overwrite: false,
    });
    expect(errors).toEqual({});
    // Optional and empty: left out. An unticked optional checkbox is left out, unless its default is true.
    expect(args).toEqual({
      sql: 'SELECT *\nFROM sales',
      x: 'day',
      limit: 100,
      ratio: 0.5,
      dryRun: false,
      overwrite: false,
      mark: 'line',
      level: 3,
      mode: 'exact',
      columns: ['day', 'amount'],
      options: { stack: true },
    });
  });

  it('carries arguments between the form and raw JSON', () => {
    const fields = formOf(schema);
    const { values, dropped } = valuesOf(fields, { sql: 'SELECT 1', limit: 5, dryRun: true, mark: 'point', level: 3, columns: ['a'], extra: 1 });
    expect(values).toMatchObject({ sql: 'SELECT 1', limit: '5', dryRun: true, mark: '2', level: '2', columns: '[\n  "a"\n]', x: '' });
    expect(dropped).toEqual(['extra']);

    expect(parseRawArguments('{"sql": "SELECT 1", "x": "d", "mark": "bar", "columns": [], "dryRun": false}', fields)).toEqual({
      arguments: { sql: 'SELECT 1', x: 'd', mark: 'bar', columns: [], dryRun: false },
    });
    expect(parseRawArguments('{"sql": "SELECT 1"}', fields)).toEqual({ error: 'Missing the required arguments x, dryRun, mark, columns.' });
    expect(parseRawArguments('[1, 2]', fields)).toEqual({ error: 'The arguments must be a JSON object, such as {"name": "value"}.' });
    expect(parseRawArguments('{"sql": ', fields)).toEqual({ error: expect.stringMatching(/^This is not valid JSON: /) });
    expect(parseRawArguments('  ', [])).toEqual({ arguments: {} });
  });
});
