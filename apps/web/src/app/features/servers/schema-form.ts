/**
 * A tool's JSON Schema (`inputSchema`) as a form, and the form's values as the tool's arguments.
 * Pure functions, no Angular: the playground renders the fields and keeps the values.
 *
 * string → a text input (a textarea for long or code-like text), number and integer → a number
 * input, boolean → a checkbox, an enum (or a union of constants) → a select, anything else
 * (objects, arrays, unions) → a JSON textarea.
 */

export type FieldKind = 'text' | 'textarea' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';

export interface FormField {
  /** The argument's name, as the tool expects it. */
  readonly name: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly title?: string;
  readonly description?: string;
  /** `text`: the input's type. */
  readonly inputType?: 'text' | 'email' | 'url' | 'date';
  /** `enum`: the values to choose from. */
  readonly options?: readonly unknown[];
  /** `number`, `integer`: the bounds. */
  readonly minimum?: number;
  readonly maximum?: number;
  /** `json`: the JSON type the value must have. */
  readonly jsonType?: 'object' | 'array';
  readonly default?: unknown;
}

/** A field's value as the form holds it: text for every control but a checkbox; an enum's is its option's index ('' for none). */
export type FieldValue = string | boolean;
export type FormValues = Readonly<Record<string, FieldValue>>;

type Schema = Readonly<Record<string, unknown>>;

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Text that reads better over several lines: SQL, code, prose. */
const multiline = /sql|query|text|content|body|code|script|markdown|prompt|message|json|yaml/i;
const longText = 200;

/** The fields of a tool's input schema, in the schema's order. A schema without properties has none. */
export function formOf(inputSchema: Schema): FormField[] {
  const properties = isSchema(inputSchema['properties']) ? inputSchema['properties'] : {};
  const required = Array.isArray(inputSchema['required']) ? (inputSchema['required'] as unknown[]) : [];
  return Object.entries(properties).map(([name, property]) => fieldOf(name, isSchema(property) ? property : {}, required.includes(name)));
}

function fieldOf(name: string, raw: Schema, required: boolean): FormField {
  const schema = unwrapNullable(raw);
  const base = {
    name,
    required,
    ...(typeof schema['title'] === 'string' ? { title: schema['title'] } : {}),
    ...(typeof schema['description'] === 'string' ? { description: schema['description'] } : {}),
    ...('default' in schema ? { default: schema['default'] } : {}),
  };
  const options = optionsOf(schema);
  if (options) return { ...base, kind: 'enum', options };
  switch (typeOf(schema)) {
    case 'string': {
      const maxLength = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : undefined;
      const format = schema['format'];
      if (format === 'email') return { ...base, kind: 'text', inputType: 'email' };
      if (format === 'uri' || format === 'url') return { ...base, kind: 'text', inputType: 'url' };
      if (format === 'date') return { ...base, kind: 'text', inputType: 'date' };
      const long = (maxLength ?? 0) > longText || 'contentMediaType' in schema || multiline.test(name);
      return long ? { ...base, kind: 'textarea' } : { ...base, kind: 'text', inputType: 'text' };
    }
    case 'number':
    case 'integer': {
      const minimum = numberOf(schema['minimum']) ?? numberOf(schema['exclusiveMinimum']);
      const maximum = numberOf(schema['maximum']) ?? numberOf(schema['exclusiveMaximum']);
      return { ...base, kind: typeOf(schema) as 'number' | 'integer', ...(minimum === undefined ? {} : { minimum }), ...(maximum === undefined ? {} : { maximum }) };
    }
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'object':
    case 'array':
      return { ...base, kind: 'json', jsonType: typeOf(schema) as 'object' | 'array' };
    default:
      return { ...base, kind: 'json' };
  }
}

const numberOf = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** `type: ["string", "null"]` → `string`; several real types → none (the field is JSON). */
function typeOf(schema: Schema): string | undefined {
  const type = schema['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) {
    const real = type.filter((item) => item !== 'null');
    return real.length === 1 && typeof real[0] === 'string' ? real[0] : undefined;
  }
  return undefined;
}

/** `anyOf: [X, {type: "null"}]` (an optional, nullable value) is X, with the outer title, description and default. */
function unwrapNullable(schema: Schema): Schema {
  const variants = schema['anyOf'] ?? schema['oneOf'];
  if (!Array.isArray(variants)) return schema;
  const real = variants.filter((variant) => !(isSchema(variant) && variant['type'] === 'null'));
  if (real.length !== 1 || !isSchema(real[0])) return schema;
  const { anyOf: _a, oneOf: _o, ...outer } = schema;
  return { ...real[0], ...outer };
}

/** An enum's values, a constant, or a union of constants; undefined for anything else. */
function optionsOf(schema: Schema): unknown[] | undefined {
  if (Array.isArray(schema['enum']) && schema['enum'].length) return schema['enum'].filter((value) => value !== null);
  if ('const' in schema) return [schema['const']];
  const variants = schema['anyOf'] ?? schema['oneOf'];
  if (Array.isArray(variants) && variants.length && variants.every((variant) => isSchema(variant) && 'const' in variant)) {
    return variants.map((variant) => (variant as Schema)['const']);
  }
  return undefined;
}

/** An enum option as its select shows it. */
export function optionLabel(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The form's first values: the schema's defaults, else empty (a checkbox unticked, a select on "not set"). */
export function initialValues(fields: readonly FormField[]): FormValues {
  return Object.fromEntries(fields.map((field) => [field.name, valueOf(field, field.default)]));
}

/** The form's values for given arguments (the raw JSON, switching back to the form); what the form has no field for is listed in `dropped`. */
export function valuesOf(fields: readonly FormField[], args: Readonly<Record<string, unknown>>): { values: FormValues; dropped: string[] } {
  const names = new Set(fields.map((field) => field.name));
  return {
    values: Object.fromEntries(fields.map((field) => [field.name, valueOf(field, field.name in args ? args[field.name] : undefined)])),
    dropped: Object.keys(args).filter((name) => !names.has(name)),
  };
}

function valueOf(field: FormField, value: unknown): FieldValue {
  if (field.kind === 'boolean') return value === true;
  if (value === undefined || value === null) return '';
  if (field.kind === 'enum') {
    const index = field.options!.findIndex((option) => JSON.stringify(option) === JSON.stringify(value));
    return index < 0 ? '' : String(index);
  }
  if (field.kind === 'json') return JSON.stringify(value, null, 2);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The tool's arguments from the form, and what is wrong with each field, in words, by field name.
 * An empty optional field is left out; an unticked optional checkbox is left out too, unless the
 * schema's default is `true` (then it is sent as `false`).
 */
export function argumentsOf(fields: readonly FormField[], values: FormValues): { arguments: Record<string, unknown>; errors: Record<string, string> } {
  const args: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.kind === 'boolean') {
      const ticked = value === true;
      if (ticked || field.required || field.default === true) args[field.name] = ticked;
      continue;
    }
    const text = typeof value === 'string' ? value : '';
    if (text.trim() === '' && field.kind !== 'text' && field.kind !== 'textarea') {
      if (field.required) errors[field.name] = field.kind === 'enum' ? 'Required: choose one.' : field.kind === 'json' ? 'Required: enter a JSON value.' : 'Required: enter a number.';
      continue;
    }
    if (text === '') {
      if (field.required) errors[field.name] = 'Required: fill this in.';
      continue;
    }
    const outcome = parsed(field, text);
    if ('error' in outcome) errors[field.name] = outcome.error;
    else args[field.name] = outcome.value;
  }
  return { arguments: args, errors };
}

function parsed(field: FormField, text: string): { value: unknown } | { error: string } {
  switch (field.kind) {
    case 'text':
    case 'textarea':
      return { value: text };
    case 'enum':
      return { value: field.options![Number(text)] };
    case 'number':
    case 'integer': {
      const number = Number(text.trim());
      if (!Number.isFinite(number)) return { error: 'Enter a number.' };
      if (field.kind === 'integer' && !Number.isInteger(number)) return { error: 'Enter a whole number.' };
      if (field.minimum !== undefined && number < field.minimum) return { error: `Enter ${field.minimum} or more.` };
      if (field.maximum !== undefined && number > field.maximum) return { error: `Enter ${field.maximum} or less.` };
      return { value: number };
    }
    default: {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        return { error: `This is not valid JSON: ${(error as Error).message}` };
      }
      if (field.jsonType === 'array' && !Array.isArray(value)) return { error: 'Enter a JSON array, such as ["a", "b"].' };
      if (field.jsonType === 'object' && !isSchema(value)) return { error: 'Enter a JSON object, such as {"key": "value"}.' };
      return { value };
    }
  }
}

/** Arguments written as JSON (the raw mode): an object, with every required argument; or what is wrong, in words. */
export function parseRawArguments(text: string, fields: readonly FormField[]): { arguments: Record<string, unknown> } | { error: string } {
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { error: `This is not valid JSON: ${(error as Error).message}` };
    }
  }
  if (!isSchema(value)) return { error: 'The arguments must be a JSON object, such as {"name": "value"}.' };
  const missing = fields.filter((field) => field.required && !(field.name in value)).map((field) => field.name);
  if (missing.length) return { error: `Missing the required ${missing.length === 1 ? 'argument' : 'arguments'} ${missing.join(', ')}.` };
  return { arguments: { ...value } };
}
