import { aroundOperations, StoreUnavailable, type DemoStore } from './demo-store.js';
import { delay, type FaultHooks } from './fault-hooks.js';

/** Puts the `store` fault hook in front of every storage call. */
export function withStoreFaults(store: DemoStore, faults: FaultHooks): DemoStore {
  const gate = async (): Promise<void> => {
    const fault = faults.get('store');
    if (fault.down) throw new StoreUnavailable('storage is down (injected fault)');
    await delay(fault.latency_ms);
    if (faults.failsNow('store')) throw new StoreUnavailable('storage call failed (injected fault)');
  };
  return {
    ...aroundOperations(store, async (operation) => (await gate(), operation())),
    health: async () => (faults.get('store').down ? 'down: injected fault' : store.health()),
  };
}
