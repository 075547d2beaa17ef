import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * Established TCP connections from each process to the broker's port: the sockets among the
 * process's open files, matched by inode against the kernel's TCP tables. (The tables list
 * every socket of the network namespace; the inodes say which are the process's own.)
 */
export async function brokerConnections(pid: number, brokerPort = 9092): Promise<number> {
  const inodes = new Set<string>();
  try {
    for (const fd of await readdir(`/proc/${pid}/fd`)) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m) inodes.add(m[1]!);
    }
  } catch {
    return 0; // gone
  }
  const port = brokerPort.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local address, remote address, state (01 = ESTABLISHED), …, inode
      if (f.length < 10 || f[3] !== '01') continue;
      if (f[2]!.endsWith(`:${port}`) && inodes.has(f[9]!)) count++;
    }
  }
  return count;
}

/** Open files of a process and its limit, from /proc (the broker's: partitions and sockets). */
export async function openFiles(pid: number): Promise<{ open: number; limit: number }> {
  const open = (await readdir(`/proc/${pid}/fd`).catch(() => [])).length;
  const limits = await readFile(`/proc/${pid}/limits`, 'utf8').catch(() => '');
  const limit = Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? 0);
  return { open, limit };
}
