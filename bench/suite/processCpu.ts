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

/**
 * Seconds the process's threads have spent, together, ready to run but waiting for a CPU, from
 * each thread's /proc/<pid>/task/<tid>/schedstat (threads that have ended no longer count).
 * Where this grows, the machine had no core free for the process when it had work.
 */
export function runQueueWaitSecondsOf(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[1]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return ns / 1e9;
  } catch {
    return NaN;
  }
}

/** The machine's CPU time so far, all cores: busy (not idle, not waiting on I/O) and total. */
export function machineCpuTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'latin1').split('\n')[0]!;
    // cpu user nice system idle iowait irq softirq steal guest guest_nice (guests are in user)
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number) as [number, number, number, number, number, number, number, number];
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  } catch {
    return { busy: NaN, total: NaN };
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
