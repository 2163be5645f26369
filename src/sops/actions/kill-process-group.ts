import { spawn } from 'node:child_process';

/**
 * Signals every process of a group (a shell step started detached, so its group is its pid): a
 * command's children die with it. Sent through the shell's own `kill`, since core code does not
 * touch `process`; a group already gone is no error.
 */
export function killProcessGroup(groupId: number, signal: 'TERM' | 'KILL'): Promise<void> {
  return new Promise((resolve) => {
    const killer = spawn('/bin/sh', ['-c', 'kill -s "$1" -- "-$2" 2>/dev/null', 'kill', signal, String(groupId)], { stdio: 'ignore' });
    killer.once('error', () => resolve());
    killer.once('close', () => resolve());
  });
}
