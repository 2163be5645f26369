import type { OutputStream } from '../io.js';

/** Paints text for a terminal that shows colour; elsewhere (files, CI logs, NO_COLOR) leaves it plain. */
export type Paint = (text: string) => string;

export function colour(stream: OutputStream, env: Readonly<Record<string, string | undefined>>): { red: Paint } {
  const on = env['NO_COLOR'] === undefined && (env['FORCE_COLOR'] !== undefined ? env['FORCE_COLOR'] !== '0' : stream.isTTY === true);
  return { red: on ? (text) => `\x1b[31m${text}\x1b[39m` : (text) => text };
}
