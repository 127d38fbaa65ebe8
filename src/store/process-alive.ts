/**
 * Whether a process id on this host is still running (signal 0 probes it
 * without touching it; EPERM means it exists but belongs to someone else).
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: unknown }).code === 'EPERM';
  }
}
