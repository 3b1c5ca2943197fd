import type { McpServerDefinitionView } from '@dataflow/shared';
import type { McpServerDefinition } from './mcp-config.js';

/** The variables only a per-user instance has: filled in per user, never from the environment. */
export const userVariables = ['USER_DATA_DIR', 'USER_ID'] as const;
export type UserVariables = Record<(typeof userVariables)[number], string>;

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const masked = '***';

export class MissingVariableError extends Error {}

/** A definition with every `${VAR}` filled in, and the filled-in values that must never be shown. */
export interface ResolvedDefinition {
  definition: McpServerDefinition;
  secrets: string[];
}

/**
 * Fills `${VAR}` in args, env, headers and cwd. Environment values count as secrets; the per-user
 * variables do not. A variable that is not set is an error naming it (never its neighbours' values).
 */
export function interpolate(
  name: string,
  definition: McpServerDefinition,
  environment: Record<string, string | undefined>,
  user?: UserVariables,
): ResolvedDefinition {
  const secrets = new Set<string>();
  const missing = new Set<string>();
  const fill = (text: string) =>
    text.replace(reference, (whole, variable: string) => {
      if ((userVariables as readonly string[]).includes(variable)) {
        if (!user) {
          missing.add(variable);
          return whole;
        }
        return user[variable as keyof UserVariables];
      }
      const value = environment[variable];
      if (value === undefined) {
        missing.add(variable);
        return whole;
      }
      if (value.length >= 3) secrets.add(value);
      return value;
    });
  const fillAll = (record: Record<string, string>) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fill(v)]));
  const resolved: McpServerDefinition =
    definition.transport === 'stdio'
      ? { ...definition, args: definition.args.map(fill), env: fillAll(definition.env), cwd: definition.cwd === undefined ? undefined : fill(definition.cwd) }
      : { ...definition, headers: fillAll(definition.headers) };
  if (missing.size > 0) {
    const names = [...missing].map((v) => `\${${v}}`).join(', ');
    const perUser = [...missing].some((v) => (userVariables as readonly string[]).includes(v));
    throw new MissingVariableError(
      perUser && !user
        ? `server "${name}" uses ${names}, which only a per-user server has; set "scope": "user"`
        : `server "${name}" needs ${names}, which ${missing.size === 1 ? 'is' : 'are'} not set in the broker's environment`,
    );
  }
  return { definition: resolved, secrets: [...secrets].sort((a, b) => b.length - a.length) };
}

/** Replaces every secret in a text (a stderr line, an error message) with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join(masked);
  return result;
}

/** The definition as an admin may see it: templates as written, env and header values masked. */
export function viewOf(definition: McpServerDefinition): McpServerDefinitionView {
  const maskAll = (record: Record<string, string>) => Object.fromEntries(Object.keys(record).map((k) => [k, masked]));
  const view: McpServerDefinitionView = { timeoutMs: definition.timeoutMs };
  if (definition.transport === 'stdio') {
    Object.assign(view, { command: definition.command, args: definition.args, env: maskAll(definition.env) });
    if (definition.cwd !== undefined) view.cwd = definition.cwd;
  } else {
    Object.assign(view, { url: definition.url, headers: maskAll(definition.headers) });
  }
  if (definition.toolAllowlist) view.toolAllowlist = definition.toolAllowlist;
  if (definition.toolDenylist) view.toolDenylist = definition.toolDenylist;
  return view;
}
