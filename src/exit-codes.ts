/** The one table of exit codes (DESIGN.md §3); the README's table is checked against it by a test. */
export const ExitCode = {
  Ok: 0,
  Finding: 1,
  Invalid: 2,
  Environment: 3,
  Aborted: 4,
  CleanupFailed: 5,
  Internal: 70,
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeMeanings: ReadonlyArray<{ code: ExitCode; meaning: string }> = [
  { code: ExitCode.Ok, meaning: 'ran, every threshold / hypothesis / isolation check passed' },
  { code: ExitCode.Finding, meaning: 'ran, and a threshold, hypothesis, capacity or isolation check failed (a finding)' },
  { code: ExitCode.Invalid, meaning: 'invalid usage, scenario or SOP (nothing was run)' },
  { code: ExitCode.Environment, meaning: 'environment failure: target unreachable, Redis or proxy unavailable' },
  { code: ExitCode.Aborted, meaning: 'stopped by an abort condition (after rollback / cleanup succeeded)' },
  { code: ExitCode.CleanupFailed, meaning: 'rollback or shadow cleanup failed: the system may be left changed' },
  { code: ExitCode.Internal, meaning: 'internal error: a bug in live-assure (the stack is printed; please report it)' },
  { code: ExitCode.Interrupted, meaning: 'interrupted by the user (cleanup and rollback were still attempted)' },
];
