/**
 * Shadow work sees its own key names without the shadow prefix, so code that reads key names
 * back from a reply (KEYS, SCAN, BLPOP, …) behaves as it does in production.
 */

type Reply = unknown;

/** Where key names sit in the reply of each command that returns them. */
const KEY_POSITIONS: Readonly<Record<string, (reply: Reply, strip: (value: Reply) => Reply) => Reply>> = {
  keys: (reply, strip) => mapArray(reply, strip),
  scan: (reply, strip) => (Array.isArray(reply) ? [reply[0], mapArray(reply[1], strip)] : reply),
  blpop: firstElement,
  brpop: firstElement,
  bzpopmin: firstElement,
  bzpopmax: firstElement,
  lmpop: firstElement,
  blmpop: firstElement,
  zmpop: firstElement,
  bzmpop: firstElement,
  xread: streamsReply,
  xreadgroup: streamsReply,
};

export function unrouteReply(command: string, subcommand: string, reply: Reply, prefix: string): Reply {
  const strip = (value: Reply): Reply => stripPrefix(value, prefix);
  const name = command.toLowerCase();
  if (name === 'pubsub') {
    const sub = subcommand.toLowerCase();
    if (sub === 'channels' || sub === 'shardchannels') return mapArray(reply, strip);
    if (sub === 'numsub' || sub === 'shardnumsub') {
      return Array.isArray(reply) ? reply.map((item, index) => (index % 2 === 0 ? strip(item) : item)) : reply;
    }
    return reply;
  }
  const unroute = KEY_POSITIONS[name];
  return unroute === undefined ? reply : unroute(reply, strip);
}

export function stripPrefix(value: Reply, prefix: string): Reply {
  if (typeof value === 'string') return value.startsWith(prefix) ? value.slice(prefix.length) : value;
  if (Buffer.isBuffer(value)) {
    const head = Buffer.from(prefix);
    return value.subarray(0, head.length).equals(head) ? value.subarray(head.length) : value;
  }
  return value;
}

function firstElement(reply: Reply, strip: (value: Reply) => Reply): Reply {
  return Array.isArray(reply) && reply.length > 0 ? [strip(reply[0]), ...reply.slice(1)] : reply;
}

function streamsReply(reply: Reply, strip: (value: Reply) => Reply): Reply {
  return mapArray(reply, (stream) => firstElement(stream, strip));
}

function mapArray(reply: Reply, fn: (value: Reply) => Reply): Reply {
  return Array.isArray(reply) ? reply.map(fn) : reply;
}
