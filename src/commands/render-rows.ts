/** Label–value rows for people: indented two spaces, every value starting in the same column. */
export function renderRows(rows: ReadonlyArray<readonly [label: string, value: string]>): string {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}\n`).join('');
}
