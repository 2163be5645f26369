import { connect } from 'node:net';

/** True when nothing listens on `port` any more: a connection attempt is refused. */
export function portClosed(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(false);
    });
    socket.once('error', () => done(true));
  });
}
