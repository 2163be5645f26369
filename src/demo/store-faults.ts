import { aroundOperations, StoreUnavailable, type DemoStore } from './demo-store.js';
import { delay, type FaultHooks } from './fault-hooks.js';

/** Puts the `store` fault hook in front of every storage call, and the `rank-writes` one in front of rank updates as well. */
export function withStoreFaults(store: DemoStore, faults: FaultHooks): DemoStore {
  const gate = async (target: 'store' | 'rank-writes', what: string): Promise<void> => {
    const fault = faults.get(target);
    if (fault.down) throw new StoreUnavailable(`${what} is down (injected fault)`);
    await delay(fault.latency_ms);
    if (faults.failsNow(target)) throw new StoreUnavailable(`${what} call failed (injected fault)`);
  };
  const gated = aroundOperations(store, async (operation) => (await gate('store', 'storage'), operation()));
  return {
    ...gated,
    bumpRank: async (...args) => (await gate('rank-writes', 'the gift rank (writes)'), gated.bumpRank(...args)),
    health: async () => (faults.get('store').down ? 'down: injected fault' : store.health()),
  };
}
