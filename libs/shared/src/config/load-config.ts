import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

/** A configuration problem found at boot. Its message names every bad variable and is meant for the operator. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describe(error: ValidationError, env: Record<string, string | undefined>): string {
  const constraints = Object.values(error.constraints ?? {});
  const raw = env[error.property];
  // A URL's password must not reach the logs, even when the URL is wrong.
  const shown = raw === undefined ? '' : ` (got "${raw.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@').slice(0, 80)}")`;
  return `${error.property}: ${constraints.join('; ')}${shown}`;
}

/**
 * Reads an env class (properties named after the variables, with class-validator rules and
 * default values) from the environment, and fails fast with every problem named.
 * Empty variables count as unset.
 */
export function loadConfig<T extends object>(envClass: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const defined = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const config = plainToInstance(envClass, defined, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: true, stopAtFirstError: true });
  if (errors.length > 0) throw new ConfigError(errors.map((error) => describe(error, defined)));
  return config;
}

/** Fails fast when a variable that this way of running needs is missing. */
export function requireVariables<T extends object>(config: T, names: (keyof T & string)[], why: string): void {
  const missing = names.filter((name) => config[name] === undefined);
  if (missing.length > 0) throw new ConfigError(missing.map((name) => `${name}: is required ${why}`));
}
