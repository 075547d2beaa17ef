import { readdirSync, readFileSync } from 'node:fs';

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

/** The pid of the running Kafka broker (shared with everyone on the machine), if one is found. */
export function brokerPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // the broker's main class is one argument of its own; tools merely mention kafka.Kafka*
      const args = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0');
      if (args.includes('kafka.Kafka')) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}
