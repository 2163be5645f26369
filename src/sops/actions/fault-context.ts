import type { ToxicInput } from '../../faults/proxy-model.js';
import type { ActionContext, ActionOutcome } from './action-context.js';

/** Where toxics go: the built-in fault proxies, or a Toxiproxy's REST API. */
export interface ToxicBackend {
  add(proxy: string, toxic: ToxicInput & { name: string }): Promise<void>;
  remove(proxy: string, name: string): Promise<void>;
}

export interface FaultContext extends ActionContext {
  toxics?: ToxicBackend;
  /** Bearer token for demo_fault calls. */
  adminToken?: string;
}

/** Removing a fault runs during rollback: a signal given here bounds it; without one it runs to its own timeouts. */
export type RemoveFault = (signal?: AbortSignal) => Promise<ActionOutcome>;

export interface FaultInjection {
  outcome: ActionOutcome;
  /** performance.now() right after the fault was acknowledged; absent when it was not. */
  injectedAt?: number;
  remove: RemoveFault;
}
