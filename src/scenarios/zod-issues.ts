import type { z } from 'zod';
import type { LocatedIssue } from '../errors.js';
import { didYouMean, knownKeysAt } from './did-you-mean.js';
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
      case 'invalid_type':
        located.push(
          source.has(path) ? source.issueAt(path, plainMessage(issue.message)) : source.issueAt(path, `required (expected ${issue.expected === 'record' ? 'a mapping' : issue.expected})`),
        );
        break;
      default:
        located.push(source.issueAt(path, plainMessage(issue.message)));
    }
  }
  return located;
}
