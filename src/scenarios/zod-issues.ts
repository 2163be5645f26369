import type { z } from 'zod';
import type { LocatedIssue } from '../errors.js';
import { didYouMean } from './did-you-mean.js';
import { knownKeysAt } from './schema-keys.js';
import type { YamlSource } from './yaml-source.js';

function plainMessage(message: string): string {
  return message.replace(/^Invalid (input|option): /, '').replace('expected record', 'expected a mapping');
}

function describeUnion(issue: z.core.$ZodIssueInvalidUnion): string {
  const expected = issue.errors
    .map((branch) => branch[0])
    .filter((first) => first !== undefined && first.code === 'invalid_type')
    .map((first) => (first !== undefined && 'expected' in first ? String(first.expected) : ''));
  return expected.length > 0 ? `expected ${expected.join(' or ')}` : plainMessage(issue.message);
}

const MULTIPLIERS: Record<string, number> = { k: 1e3, K: 1e3, m: 1e6, M: 1e6 };

/** A number written with a unit or a suffix (`10ms`, `800k`): say how to write it instead. */
function numberWithUnit(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const match = /^\s*(\d[\d_]*(?:\.\d+)?)\s*([A-Za-z%/]+)\s*$/.exec(input);
  if (match === null) return undefined;
  const [, amount = '', unit = ''] = match;
  const multiplier = MULTIPLIERS[unit];
  const written = multiplier === undefined ? amount : (Number(amount.replaceAll('_', '')) * multiplier).toLocaleString('en-US').replaceAll(',', '_');
  return `expected a number, got "${input}": write ${written}${multiplier === undefined ? ` (the field's name gives the unit)` : ''}`;
}

function describeTooSmall(issue: z.core.$ZodIssueTooSmall): string {
  if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}`;
  return plainMessage(issue.message);
}

/** Turns zod's issues into located, plain-spoken ones, each pointing at the offending line. */
export function locateZodIssues(issues: readonly z.core.$ZodIssue[], source: YamlSource, schema: z.core.$ZodType): LocatedIssue[] {
  const located: LocatedIssue[] = [];
  for (const issue of issues) {
    const path = issue.path;
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, path);
        for (const key of issue.keys) {
          located.push(source.issueAt([...path, key], `unknown key "${key}"${didYouMean(key, known)}`, 'key'));
        }
        break;
      }
      case 'invalid_key': {
        const inner = issue.issues[0];
        located.push(source.issueAt(path, `invalid name: ${plainMessage(inner?.message ?? issue.message)}`, 'key'));
        break;
      }
      case 'invalid_union':
        located.push(source.issueAt(path, describeUnion(issue)));
        break;
      case 'invalid_type': {
        const message = !source.has(path)
          ? `required (expected ${issue.expected === 'record' ? 'a mapping' : issue.expected})`
          : ((issue.expected === 'number' ? numberWithUnit(issue.input) : undefined) ?? plainMessage(issue.message));
        located.push(source.issueAt(path, message));
        break;
      }
      case 'too_small':
        located.push(source.issueAt(path, describeTooSmall(issue)));
        break;
      default:
        located.push(source.issueAt(path, plainMessage(issue.message)));
    }
  }
  return located;
}
