/**
 * What the machine did to the benchmark's numbers, so that a reader can tell a slow audit from a
 * slow machine: inputs read through once before each timed run (a virtual machine's memory
 * reclaim may have paged a cold input out of the page cache, and the first contender of a round
 * would then pay for the disk), and the CPU time the hypervisor took from the guest ("steal",
 * from /proc/stat) while a scenario ran. Both are Linux-only; elsewhere they do nothing and
 * report null.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

const WARM_BUFFER = Buffer.allocUnsafe(1 << 20);

/** Reads a file, or every file of a directory, to its end (untimed), and returns the bytes read. */
export function warm(path: string): number {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (info.isDirectory()) return readdirSync(path).reduce((n, name) => n + warm(join(path, name)), 0);
  if (!info.isFile()) return 0;
  const fd = openSync(path, 'r');
  try {
    let total = 0;
    for (let n; (n = readSync(fd, WARM_BUFFER, 0, WARM_BUFFER.length, total)) > 0; ) total += n;
    return total;
  } finally {
    closeSync(fd);
  }
}

/** The machine's CPU time counters (USER_HZ ticks), all cores together: the busy, idle and stolen parts. */
export interface CpuTicks {
  total: number;
  steal: number;
}

/** The "cpu" line of /proc/stat, or null where there is none. */
export function cpuTicks(): CpuTicks | null {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  return parseCpuLine(text);
}

/** The aggregate "cpu" line of a /proc/stat text: user nice system idle iowait irq softirq steal [guest guest_nice]. */
export function parseCpuLine(stat: string): CpuTicks | null {
  const line = stat.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return null;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 8 || fields.some((n) => !Number.isFinite(n))) return null;
  // guest and guest_nice are already counted in user and nice.
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { total, steal: fields[7] };
}

/** The share of the machine's CPU time stolen between two readings (0..1), or null when unknown or nothing elapsed. */
export function stealShare(before: CpuTicks | null, after: CpuTicks | null): number | null {
  if (!before || !after) return null;
  const total = after.total - before.total;
  return total > 0 ? (after.steal - before.steal) / total : null;
}
