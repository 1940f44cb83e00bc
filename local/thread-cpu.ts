/**
 * The calling thread's CPU time in ms (process.threadCpuUsage: Node 23.9+; 0 where it is
 * missing). The function workers count their handlers' CPU with it, the benchmarks the main
 * thread's; process.cpuUsage() is the whole process's.
 */
const threadCpu = process as unknown as { threadCpuUsage?: () => { user: number; system: number } };

export function threadCpuMs(): number {
  const u = threadCpu.threadCpuUsage?.();
  return u ? (u.user + u.system) / 1000 : 0;
}
