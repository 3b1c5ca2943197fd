import { readdirSync, readFileSync } from 'node:fs';

/**
 * What Linux says about the processes of the bench (from /proc): the CPU each one has used, to
 * tell which process a call's time goes to, and their descendants, so that none outlives the
 * run. Elsewhere every figure is NaN and no descendant is found.
 */

/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every common architecture. */
const ticksPerSecond = 100;

export interface ProcessEntry {
  pid: number;
  ppid: number;
  cpuSeconds: number;
  /** Start time in ticks since boot: with the pid, it names one process even after the pid is reused. */
  startTicks: number;
}

function readEntry(pid: number): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2, the command name in parentheses, may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state) of proc(5): ppid is field 4, utime 14, stime 15, starttime 22.
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined; // exited, waiting to be reaped
    return { pid, ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond, startTicks: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

function allEntries(): ProcessEntry[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  return names.filter((name) => /^\d+$/.test(name)).flatMap((name) => readEntry(Number(name)) ?? []);
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

/** Every process below `pid`, children first. */
export function descendantsOf(pid: number): ProcessEntry[] {
  const byParent = new Map<number, ProcessEntry[]>();
  for (const entry of allEntries()) byParent.set(entry.ppid, [...(byParent.get(entry.ppid) ?? []), entry]);
  const found: ProcessEntry[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** The deepest process below `pid` whose command line contains `fragment` (not a shell that started it). */
export function descendantRunning(pid: number, fragment: string): number | undefined {
  return descendantsOf(pid).findLast((entry) => commandLine(entry.pid).includes(fragment))?.pid;
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSecondsOf(pid: number | undefined): number {
  const entry = pid === undefined ? undefined : readEntry(pid);
  return entry ? entry.cpuSeconds : Number.NaN;
}

/** SIGKILLs the processes of an earlier `descendantsOf` that are still running; returns their command lines. */
export function killSurvivors(snapshot: ProcessEntry[]): string[] {
  const killed: string[] = [];
  for (const entry of snapshot) {
    if (readEntry(entry.pid)?.startTicks !== entry.startTicks) continue; // gone, or the pid is another process now
    const command = commandLine(entry.pid);
    try {
      process.kill(entry.pid, 'SIGKILL');
      killed.push(command);
    } catch {
      // it exited in between
    }
  }
  return killed;
}
