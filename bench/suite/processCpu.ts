import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

// Linux reports utime and stime in clock ticks; 100 per second on every kernel we run on.
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, read from /proc/<pid>/stat. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // the command name in parentheses may hold spaces; fields are counted after it
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** This process's own CPU seconds, finer than /proc's ticks. */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * The pid of the process listening on `port` (the Kafka broker the suite uses, shared with
 * everyone on the machine), found through the socket's inode; undefined if none is visible.
 */
export function pidListeningOn(port: number): number | undefined {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of readFileSync(table, 'latin1').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        // local address, state 0A = LISTEN, inode
        if (cols[1]?.endsWith(hexPort) && cols[3] === '0A') inodes.add(`socket:[${cols[9]}]`);
      }
    } catch {
      // no such table on this kernel
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return Number(pid);
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}
