import { parentPort, workerData } from 'node:worker_threads';
import { BadIntervalError, measurePart, type MeasureLine, type PartParams } from './measure-part.js';

/**
 * A worker thread measuring half of a long load's endpoints while the main thread measures the
 * other half: decoding 72,000 HDR histograms is the report's cost, and it splits by endpoint.
 */

function isInput(value: unknown): value is { lines: MeasureLine[]; params: PartParams } {
  return typeof value === 'object' && value !== null && 'lines' in value && Array.isArray(value.lines) && 'params' in value;
}

if (parentPort !== null && isInput(workerData)) {
  try {
    const part = measurePart(workerData.lines, workerData.params);
    parentPort.postMessage({ part });
  } catch (error) {
    parentPort.postMessage(error instanceof BadIntervalError ? { bad: { run: error.run, index: error.index, message: error.message } } : { failed: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}
