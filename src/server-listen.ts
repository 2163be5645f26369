import type { Server } from 'node:net';

/** Starts listening, or rejects with the listen error (a port taken): shared by every server of the tool, like errors.ts. */
export function listenOn(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
