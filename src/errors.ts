import { ExitCode } from './exit-codes.js';

/** A problem found in an input file, located for the user: `file:line:col path: message`. */
export interface LocatedIssue {
  file: string;
  line: number;
  col: number;
  /** Dotted path inside the document, e.g. `journeys.enter-room.steps.0.GET`; empty for the root. */
  path: string;
  message: string;
}

export function formatIssue(issue: LocatedIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.col}`;
  return issue.path === '' ? `${where} ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

/** Every error live-assure expects carries a stable code, the exit code it maps to and maybe a hint. */
export class LiveAssureError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, options: { code: string; exitCode: ExitCode; hint?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.exitCode = options.exitCode;
    this.hint = options.hint;
  }
}

/** Wrong flags or arguments: nothing was run. */
export class UsageError extends LiveAssureError {
  constructor(message: string, hint?: string) {
    super(message, { code: 'usage', exitCode: ExitCode.Invalid, ...(hint === undefined ? {} : { hint }) });
  }
}

/** An input file (scenario, SOP, CSV) is unreadable or invalid; carries every located issue at once. */
export class InvalidInputError extends LiveAssureError {
  readonly issues: readonly LocatedIssue[];

  constructor(issues: readonly LocatedIssue[], hint?: string) {
    super(issues.map(formatIssue).join('\n'), {
      code: 'invalid-input',
      exitCode: ExitCode.Invalid,
      ...(hint === undefined ? {} : { hint }),
    });
    this.issues = issues;
  }
}

/** The world is not as the command needs it: a port taken, Redis or a target unreachable. */
export class EnvironmentError extends LiveAssureError {
  constructor(message: string, hint?: string) {
    super(message, { code: 'environment', exitCode: ExitCode.Environment, ...(hint === undefined ? {} : { hint }) });
  }
}
