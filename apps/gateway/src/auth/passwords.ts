import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { commonPasswords } from './common-passwords.js';

/** OWASP's argon2id parameters: 19 MiB, two passes, one lane. (`Algorithm.Argon2id` is a const enum, which isolated modules cannot read.) */
const argon2id = { algorithm: 2 as Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const passwordMinLength = 12;
export const passwordMaxLength = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2id);
}

/** A hash of nothing anyone knows: verifying against it costs what a real check costs. */
const decoy = hash('decoy password that matches nothing', argon2id);

/** Checks a password; with no hash (no such account) it still takes as long, so timing tells nothing. */
export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash ?? (await decoy), password);
  } catch {
    return false;
  }
}

/** What is wrong with a new password, in words for its owner; undefined when it will do. */
export function passwordProblem(password: string, email: string): string | undefined {
  if (password.length < passwordMinLength) return `The password must have at least ${passwordMinLength} characters`;
  if (password.length > passwordMaxLength) return `The password must have at most ${passwordMaxLength} characters`;
  const lower = password.toLowerCase();
  if (commonPasswords.has(lower) || new Set(lower).size < 4) return 'The password is too common or too simple; choose another';
  const localPart = email.split('@')[0]?.toLowerCase() ?? '';
  if (localPart.length >= 4 && lower.includes(localPart)) return 'The password must not contain the email address';
  return undefined;
}
