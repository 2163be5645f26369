import type { ToxicType } from '../proxy-model.js';
import { bandwidth } from './bandwidth.js';
import { latency } from './latency.js';
import { limitData } from './limit-data.js';
import { resetPeer } from './reset-peer.js';
import { slicer } from './slicer.js';
import { slowClose } from './slow-close.js';
import { timeout } from './timeout.js';
import type { ToxicBehaviour } from './toxic-behaviour.js';

const FACTORIES: Record<ToxicType, () => ToxicBehaviour> = {
  latency,
  bandwidth,
  slow_close: slowClose,
  timeout,
  reset_peer: resetPeer,
  slicer,
  limit_data: limitData,
};

/** A fresh behaviour (with its own per-link state) for a toxic of this type. */
export function behaviourFor(type: ToxicType): ToxicBehaviour {
  return FACTORIES[type]();
}
