import { InvalidInputError, type LocatedIssue } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { readInputFile } from '../scenarios/read-input-file.js';
import { parseNumberText } from '../scenarios/unit-text.js';
import { concurrencyForThroughput, fitUsl, type UslFit, type UslPoint } from '../scenarios/usl.js';
import { formatNumber, parseFlagNumber } from './flag-numbers.js';
import { renderRows } from './render-rows.js';

export interface CapacityUslOptions {
  atThroughput?: string;
  json?: boolean;
}

/** Fewer measurements than this leave σ and κ poorly determined (capacity-models.md). */
const FEW_POINTS = 6;
const HINT = 'each row is `concurrency,throughput` (commas or spaces); an optional header; `#` starts a comment';

type Field = { text: string; col: number };

/** The fields of a line with their 1-based columns: comma-separated if it has a comma, else by whitespace. */
function splitFields(line: string): Field[] {
  if (!line.includes(',')) return [...line.matchAll(/\S+/g)].map((match) => ({ text: match[0], col: (match.index ?? 0) + 1 }));
  const fields: Field[] = [];
  let offset = 0;
  for (const part of line.split(',')) {
    fields.push({ text: part.trim(), col: offset + part.length - part.trimStart().length + 1 });
    offset += part.length + 1;
  }
  return fields;
}

const THROUGHPUT_NAME = /^(throughput|x|tput|qps|rps|tps|ops)$/i;

/** Every row of the CSV, or every problem in it at once. */
function parseUslCsv(text: string, file: string): UslPoint[] {
  const points: UslPoint[] = [];
  const issues: LocatedIssue[] = [];
  let sawContent = false;
  let swapped = false;
  let row = 0;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = index + 1;
    const hash = raw.indexOf('#');
    const content = hash === -1 ? raw : raw.slice(0, hash);
    if (content.trim() === '') continue;
    const fields = splitFields(content);
    const isHeader = !sawContent && fields.every((field) => field.text !== '' && parseNumberText(field.text) === undefined);
    sawContent = true;
    if (!isHeader) row += 1;
    const [first, second] = fields;
    if (fields.length !== 2 || first === undefined || second === undefined) {
      const col = fields[2]?.col ?? fields[0]?.col ?? 1;
      const what = isHeader ? 'header' : `row ${row}`;
      issues.push({ file, line, col, path: what, message: `expected 2 values (concurrency, throughput), got ${fields.length}` });
      continue;
    }
    if (isHeader) {
      // A header naming throughput first flips the columns; any other header is taken as N, X.
      swapped = THROUGHPUT_NAME.test(first.text) && !THROUGHPUT_NAME.test(second.text);
      continue;
    }
    const [nField, xField] = swapped ? [second, first] : [first, second];
    const concurrency = parseNumberText(nField.text);
    const throughput = parseNumberText(xField.text);
    const before = issues.length;
    if (concurrency === undefined || concurrency <= 0) {
      issues.push({ file, line, col: nField.col, path: 'concurrency', message: `expected a number > 0, got ${JSON.stringify(nField.text)}` });
    }
    if (throughput === undefined || throughput < 0) {
      issues.push({ file, line, col: xField.col, path: 'throughput', message: `expected a number ≥ 0, got ${JSON.stringify(xField.text)}` });
    }
    if (issues.length === before && concurrency !== undefined && throughput !== undefined) points.push({ concurrency, throughput });
  }
  if (issues.length > 0) throw new InvalidInputError(issues, HINT);
  return points;
}

/** The fit, or why these rows cannot be fitted (too few concurrencies, all zero) located at the file. */
function fitMeasurements(points: readonly UslPoint[], file: string): UslFit {
  try {
    return fitUsl(points);
  } catch (error) {
    if (error instanceof RangeError) throw new InvalidInputError([{ file, line: 1, col: 1, path: '', message: error.message }], HINT);
    throw error;
  }
}

/** A wanted throughput and the concurrency for it; `unreachable` says why there is none. */
type Target = { throughput: number; concurrency: number | null; unreachable: string | null };

/** The row that says where throughput stops growing, and how to say "beyond it". */
function limitRow(fit: UslFit): { label: string; value: string; beyond: string } {
  if (fit.peak !== null) {
    const value = `X ≈ ${formatNumber(fit.peak.throughput, 4)} at N ≈ ${formatNumber(fit.peak.concurrency)}`;
    return { label: 'peak', value, beyond: `above the peak (${value})` };
  }
  if (fit.amdahl_ceiling !== null) {
    const ceiling = formatNumber(fit.amdahl_ceiling, 4);
    return { label: 'Amdahl ceiling', value: `X → ${ceiling} (λ/σ; κ = 0, no peak)`, beyond: `at or above the Amdahl ceiling X → ${ceiling}` };
  }
  return { label: 'limit', value: 'none: linear scaling (σ = κ = 0)', beyond: 'not reachable' };
}

function renderHuman(fit: UslFit, file: string, target: Target | undefined): string {
  const limit = limitRow(fit);
  const rows: Array<[string, string]> = [
    ['σ (contention)', formatNumber(fit.sigma, 4)],
    ['κ (coherency)', formatNumber(fit.kappa, 4)],
    ['λ (X at N = 1)', formatNumber(fit.lambda, 4)],
    [limit.label, limit.value],
    ['R²', fit.r2.toFixed(4)],
  ];
  if (target !== undefined) {
    const label = `N for X = ${formatNumber(target.throughput, 6)}`;
    const value =
      target.concurrency === null
        ? `unreachable: ${target.unreachable ?? limit.beyond}`
        : `${formatNumber(target.concurrency, 4)} (${Math.ceil(target.concurrency)} concurrent)`;
    rows.push([label, value]);
  }
  return `USL fit to ${fit.points} points from ${file}\n${renderRows(rows)}`;
}

function targetFor(fit: UslFit, throughput: number): Target {
  const concurrency = concurrencyForThroughput(fit, throughput);
  return { throughput, concurrency, unreachable: concurrency === null ? limitRow(fit).beyond : null };
}

/** `capacity usl <csv>`: σ, κ, λ, the peak (or Amdahl ceiling) and R², and optionally N for a target X. */
export async function runCapacityUsl(file: string, options: CapacityUslOptions, io: Io): Promise<number> {
  const wanted = options.atThroughput === undefined ? undefined : parseFlagNumber('--at-throughput', options.atThroughput, 0, false);
  const points = parseUslCsv(await readInputFile(file, io.cwd, 'the measurements'), file);
  const fit = fitMeasurements(points, file);
  const target = wanted === undefined ? undefined : targetFor(fit, wanted);
  const warnings =
    points.length < FEW_POINTS
      ? [`only ${points.length} points: σ and κ are poorly determined; measure at least ${FEW_POINTS} concurrency levels`]
      : [];

  if (options.json === true) {
    const result = {
      sigma: fit.sigma,
      kappa: fit.kappa,
      lambda: fit.lambda,
      peak: fit.peak,
      amdahl_ceiling: fit.amdahl_ceiling,
      r2: fit.r2,
      points: fit.points,
      ...(target === undefined
        ? {}
        : { at_throughput: target.throughput, concurrency: target.concurrency, unreachable: target.unreachable }),
      warnings,
    };
    io.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
    io.stdout.write(renderHuman(fit, file, target));
  }
  return target !== undefined && target.concurrency === null ? ExitCode.Finding : ExitCode.Ok;
}
