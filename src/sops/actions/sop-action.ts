import type { Sop } from '../sop-schema.js';

/** The SOP's action shapes, named once from the schema so every action file speaks of the same thing. */

export type SopStep = Sop['mitigation'][number];
/** One of http / redis / shell / wait_until / manual: what a step does, an undo does, or removes an http/shell fault. */
export type SopAction = Exclude<NonNullable<SopStep['undo']>, 'restore-previous'>;
export type HttpCall = NonNullable<SopAction['http']>;
export type RedisCall = NonNullable<SopAction['redis']>;
export type ShellCall = NonNullable<SopAction['shell']>;
export type ManualCall = NonNullable<SopAction['manual']>;
