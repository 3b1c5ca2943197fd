/** How deep a body or query may nest; no route takes more than a few levels. */
const maxDepth = 32;
const prototypeKeys = new Set(['__proto__', 'constructor', 'prototype']);
const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function stringProblem(value: string, where: string): string | undefined {
  if (value.includes('\u0000')) return `${where} contains a NUL character (\\u0000), which text here may not hold`;
  if (unpairedSurrogate.test(value)) return `${where} contains an unpaired surrogate: it is not valid Unicode`;
  return undefined;
}

/**
 * The first thing in a parsed body or query that no route should receive, named by its path
 * (`body.title`), or undefined. Walks without recursion, so that nesting cannot exhaust the stack.
 */
export function inputProblem(input: unknown, root: string): string | undefined {
  const pending: [unknown, string, number][] = [[input, root, 0]];
  while (pending.length) {
    const [value, where, depth] = pending.pop()!;
    if (typeof value === 'string') {
      const problem = stringProblem(value, where);
      if (problem) return problem;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxDepth) return `${root} nests more than ${maxDepth} levels deep`;
    for (const [key, item] of Object.entries(value)) {
      if (prototypeKeys.has(key)) return `${where} uses the key ${key}, which is not allowed`;
      const keyProblem = stringProblem(key, `a key in ${where}`);
      if (keyProblem) return keyProblem;
      pending.push([item, Array.isArray(value) ? `${where}[${key}]` : `${where}.${key}`, depth + 1]);
    }
  }
  return undefined;
}
