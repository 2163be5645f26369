/** Step output kept in the journal and JUnit system-out: at most 4 KiB, so one chatty step cannot bloat a run record. */
const OUTPUT_LIMIT_BYTES = 4096;

/** The first 4 KiB (a response body reads from its start). */
export function clipHead(text: string): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= OUTPUT_LIMIT_BYTES) return text;
  const marker = `\n… (${bytes.length} bytes, cut to the first ${OUTPUT_LIMIT_BYTES})`;
  return wholeCharacters(bytes.subarray(0, OUTPUT_LIMIT_BYTES - Buffer.byteLength(marker)).toString('utf8')) + marker;
}

/** The last 4 KiB (a command's last words are the ones that explain it). */
export function clipTail(text: string): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= OUTPUT_LIMIT_BYTES) return text;
  const marker = `… (${bytes.length} bytes, cut to the last ${OUTPUT_LIMIT_BYTES})\n`;
  return marker + wholeCharacters(bytes.subarray(bytes.length - OUTPUT_LIMIT_BYTES + Buffer.byteLength(marker)).toString('utf8'));
}

/** A cut through a multi-byte character decodes as U+FFFD at the edge: drop it. */
function wholeCharacters(text: string): string {
  return text.replace(/^\uFFFD+|\uFFFD+$/g, '');
}
