import { render, type Instance } from 'ink';
import type { RunEvent, RunSink } from '../engine/run-events.js';
import { Dashboard } from './dashboard.js';
import { initialRunState, reduceRunState, type RunState } from './run-state.js';

export interface DashboardSinkOptions {
  /** Frames per second at most (default and ceiling 10): the data changes once a second anyway. */
  maxFps?: number;
}

const MAX_FPS = 10;

/**
 * The Ink dashboard as a run sink. It mounts on the first event (so a run that fails before it
 * starts leaves no empty frame) and redraws on every event, at most `maxFps` times a second.
 * `close` unmounts and waits, leaving the final frame on screen.
 */
export function createDashboardSink(stdout: NodeJS.WriteStream, options: DashboardSinkOptions = {}): RunSink {
  const maxFps = Math.min(MAX_FPS, Math.max(1, options.maxFps ?? MAX_FPS));
  let state: RunState = initialRunState;
  let instance: Instance | undefined;
  let closed = false;

  function handle(event: RunEvent): void {
    if (closed) return;
    state = reduceRunState(state, event);
    const tree = <Dashboard state={state} />;
    if (instance === undefined) {
      // Ctrl-C must reach the command's SIGINT handler, which stops the run cleanly; Ink must not
      // exit on it or touch the console.
      instance = render(tree, { stdout, patchConsole: false, exitOnCtrlC: false, maxFps });
    } else {
      instance.rerender(tree);
    }
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    if (instance === undefined) return;
    const exited = instance.waitUntilExit();
    instance.unmount();
    await exited;
  }

  return { handle, close };
}
