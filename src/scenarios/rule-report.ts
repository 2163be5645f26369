/** A rule broken by a scenario: where (a path in the file) and what. */
export interface RuleIssue {
  path: PropertyKey[];
  message: string;
  /** Point at the mapping key rather than its value (for keys that should not be there). */
  at?: 'key' | 'value';
}

export type Report = (path: PropertyKey[], message: string, at?: 'key' | 'value') => void;

export function article(word: string): string {
  return /^(http|[aeiou])/i.test(word) ? 'an' : 'a';
}
