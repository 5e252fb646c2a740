import { readFile } from 'node:fs/promises';

/** /proc counts CPU time in USER_HZ ticks, which Linux fixes at 100 a second for user space. */
const ticksPerSecond = 100;

/** CPU seconds a process has used (user + system), and those of the children it has waited for; undefined once it has gone. */
export async function processCpu(pid: number): Promise<{ readonly own: number; readonly children: number } | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The command name (field 2) may hold spaces and parentheses: count fields from its end.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  if (fields === undefined) return undefined;
  const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15);
  return { own: (utime + stime) / ticksPerSecond, children: (cutime + cstime) / ticksPerSecond };
}

/** The machine's CPU seconds since it booted, over all cores: busy (any process), idle, and stolen by the hypervisor. */
export async function machineCpu(): Promise<{ readonly busy: number; readonly idle: number; readonly steal: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.split(/\s+/).slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq) / ticksPerSecond, idle: (idle + iowait) / ticksPerSecond, steal: steal / ticksPerSecond };
}
