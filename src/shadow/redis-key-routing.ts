import { exists, getKeyIndexes, hasFlag } from '@ioredis/commands';

/** One flattened Redis command argument, as ioredis holds it. */
export type RedisArg = string | Buffer | number;

export type Routed = { ok: true; args: RedisArg[] } | { ok: false; reason: string };

// Whole-database or connection-wide effects that no key prefix can scope to shadow storage.
const UNROUTABLE: Readonly<Record<string, string>> = {
  flushdb: 'it would empty production storage',
  flushall: 'it would empty production storage',
  swapdb: 'it would swap production databases',
  select: 'it would switch the shared connection to another database',
  randomkey: 'it may return a production key',
  move: 'it would move a key out of the routed database',
  monitor: 'it would stream production commands',
  shutdown: 'it would stop the production server',
  debug: 'it acts on the whole server',
  config: 'it changes the production server',
  replicaof: 'it changes the production server',
  slaveof: 'it changes the production server',
  failover: 'it changes the production server',
  module: 'it changes the production server',
  reset: 'it would reset the shared connection (subscriptions, transactions, selected database)',
  quit: 'it would close the shared connection',
  auth: 'it would change the user of the shared connection',
  hello: 'it would change the protocol of the shared connection',
  readonly: 'it changes the shared connection',
  readwrite: 'it changes the shared connection',
};
const UNROUTABLE_SUBCOMMANDS: Readonly<Record<string, readonly string[]>> = {
  script: ['flush', 'kill'],
  function: ['flush', 'delete', 'load', 'restore', 'kill'],
  client: ['kill', 'pause', 'unpause', 'no-evict', 'no-touch', 'reply', 'tracking', 'setname', 'setinfo'],
  acl: ['setuser', 'deluser', 'load', 'save'],
  cluster: ['reset', 'failover', 'forget', 'flushslots', 'addslots', 'addslotsrange', 'delslots', 'delslotsrange', 'setslot', 'meet', 'replicate', 'getkeysinslot', 'countkeysinslot'],
};
const CHANNEL_COMMANDS = new Set(['publish', 'spublish', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe']);
const PATTERN_COMMANDS = new Set(['psubscribe', 'punsubscribe']);

/**
 * Rewrites a command so every key, channel and key pattern it names lives under `prefix`.
 * Pure: the caller decides when a command is shadow work. A command whose reach cannot be
 * scoped (unknown module commands, FLUSHDB, …) is refused rather than sent unrouted.
 */
export function routeToShadow(name: string, args: readonly RedisArg[], prefix: string): Routed {
  const command = name.toLowerCase();
  const unroutable = UNROUTABLE[command];
  if (unroutable !== undefined) return refuse(command, unroutable);
  const subcommand = String(args[0] ?? '').toLowerCase();
  if (UNROUTABLE_SUBCOMMANDS[command]?.includes(subcommand)) return refuse(`${command} ${subcommand}`, 'its effect is not limited to keys');

  if (CHANNEL_COMMANDS.has(command)) {
    if (command.endsWith('unsubscribe') && args.length === 0) {
      return refuse(command, 'without channels it would drop the production subscriptions of the shared connection');
    }
    const routed = [...args];
    const channels = command.endsWith('publish') ? [0] : routed.map((_, index) => index);
    for (const index of channels) routed[index] = prefixed(prefix, routed[index] ?? '');
    return { ok: true, args: routed };
  }
  if (PATTERN_COMMANDS.has(command)) {
    if (command === 'punsubscribe' && args.length === 0) {
      return refuse(command, 'without patterns it would drop the production subscriptions of the shared connection');
    }
    return { ok: true, args: args.map((pattern) => prefixed(globEscape(prefix), pattern)) };
  }
  if (command === 'keys') return { ok: true, args: [prefixed(globEscape(prefix), args[0] ?? '*')] };
  if (command === 'scan') return { ok: true, args: routeScan(args, prefix) };
  if (command === 'pubsub') return { ok: true, args: routePubsub(subcommand, args, prefix) };

  if (!exists(command)) return refuse(command, 'live-assure does not know where its keys are');
  const indexes = keyIndexes(command, args);
  if (indexes.length === 0 && (hasFlag(command, 'write') || hasFlag(command, 'admin'))) {
    return refuse(command, 'it writes or administers without naming keys, so its reach cannot be scoped');
  }
  const routed = [...args];
  for (const index of indexes) routed[index] = prefixed(prefix, routed[index] ?? '');
  return { ok: true, args: routed };
}

/** The key names a command touches, for the reverse guard (production work must not touch shadow keys). */
export function commandKeys(name: string, args: readonly RedisArg[]): RedisArg[] {
  const command = name.toLowerCase();
  if (CHANNEL_COMMANDS.has(command)) return command.endsWith('publish') ? args.slice(0, 1) : [...args];
  if (!exists(command)) return [];
  return keyIndexes(command, args).flatMap((index) => (args[index] === undefined ? [] : [args[index]]));
}

export function hasPrefix(value: RedisArg, prefix: string): boolean {
  if (Buffer.isBuffer(value)) return value.subarray(0, Buffer.byteLength(prefix)).equals(Buffer.from(prefix));
  return String(value).startsWith(prefix);
}

/**
 * Key positions, found on a text copy of the arguments: the command table only recognises
 * directives such as SORT's STORE or MIGRATE's empty key when they are strings.
 */
function keyIndexes(command: string, args: readonly RedisArg[]): number[] {
  return getKeyIndexes(command, args.map((arg) => (Buffer.isBuffer(arg) ? arg.toString('latin1') : arg)));
}

function routeScan(args: readonly RedisArg[], prefix: string): RedisArg[] {
  const routed = [...args];
  let matched = false;
  // Redis applies the last MATCH given, so every one of them is scoped.
  for (let index = 1; index + 1 < routed.length; index += 1) {
    if (String(routed[index]).toLowerCase() !== 'match') continue;
    routed[index + 1] = prefixed(globEscape(prefix), routed[index + 1] ?? '*');
    matched = true;
    index += 1;
  }
  return matched ? routed : [...routed, 'MATCH', `${globEscape(prefix)}*`];
}

function routePubsub(subcommand: string, args: readonly RedisArg[], prefix: string): RedisArg[] {
  if (subcommand === 'channels' || subcommand === 'shardchannels') {
    return [args[0] ?? subcommand, prefixed(globEscape(prefix), args[1] ?? '*')];
  }
  if (subcommand === 'numsub' || subcommand === 'shardnumsub') {
    return args.map((arg, index) => (index === 0 ? arg : prefixed(prefix, arg)));
  }
  return [...args];
}

function prefixed(prefix: string, value: RedisArg): RedisArg {
  return Buffer.isBuffer(value) ? Buffer.concat([Buffer.from(prefix), value]) : `${prefix}${String(value)}`;
}

/** Escapes glob metacharacters so a prefix inside a MATCH/KEYS/PSUBSCRIBE pattern matches literally. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}

function refuse(command: string, why: string): Routed {
  return { ok: false, reason: `${command.toUpperCase()} cannot be routed to shadow storage: ${why}` };
}
