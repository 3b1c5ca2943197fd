import { existsSync } from 'node:fs';
import type { StdioServerParameters } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { StdioDefinition } from '../config/mcp-config.js';

/**
 * `setpriv --pdeathsig KILL` (util-linux) asks the kernel to SIGKILL the child when the broker
 * dies, however it dies: SIGKILL and OOM kills included, which no exit handler can catch. It execs
 * the server in its own place, so the server is still the broker's direct child.
 */
const setpriv = process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path)) : undefined;

export const childDiesWithBroker = setpriv !== undefined;

/**
 * How to spawn a stdio server. `node` means the broker's own Node, so that servers run on the
 * Node the platform was tested with whatever PATH says.
 */
export function spawnParameters(definition: StdioDefinition): StdioServerParameters {
  const command = definition.command === 'node' ? process.execPath : definition.command;
  const base = { env: definition.env, cwd: definition.cwd, stderr: 'pipe' as const };
  if (!setpriv) return { ...base, command, args: definition.args };
  return { ...base, command: setpriv, args: ['--pdeathsig', 'KILL', '--', command, ...definition.args] };
}
