import { BadRequest } from './http-json.js';

// Ids arrive as JSON numbers or as strings (scenario templates render every value as text).
const ID = /^[1-9][0-9]{0,18}$/;

/** A positive integer id (room, uid, gift) from a query string or JSON field, as its decimal text. */
export function idField(value: unknown, field: string): string {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !ID.test(text.trim())) throw new BadRequest(`${field} must be a positive integer`);
  return text.trim();
}

export function countField(value: unknown, field: string, max: number): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > max) {
    throw new BadRequest(`${field} must be an integer from 1 to ${max}`);
  }
  return number;
}

export function textField(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw new BadRequest(`${field} must be a non-empty string`);
  if ([...value].length > maxLength) throw new BadRequest(`${field} must be at most ${maxLength} characters`);
  return value;
}
