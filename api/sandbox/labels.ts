/**
 * Google's rules for labels (Resource Manager, "Requirements for labels"), which every labelled
 * resource of the sandbox checks as Google does: at most 64 per resource; keys 1–63 characters,
 * starting with a lowercase letter or an international character; keys and values made of
 * lowercase letters, international characters, digits, `_` and `-`; values at most 63 characters.
 * Labels are stored and returned exactly as sent (the plan's ownership marks rely on it).
 */
import { invalidArgument } from './errors.js';

const KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

/** Throws 400 INVALID_ARGUMENT for labels Google would refuse; `field` names them in the message. */
export function checkLabels(labels: unknown, field: string): void {
  if (labels === undefined || labels === null) return;
  if (typeof labels !== 'object' || Array.isArray(labels)) throw invalidArgument(`Invalid value at '${field}': labels must be a map of strings.`);
  const entries = Object.entries(labels);
  if (entries.length > 64) throw invalidArgument(`Invalid value at '${field}': at most 64 labels are allowed, got ${entries.length}.`);
  for (const [key, value] of entries) {
    if (!KEY.test(key)) throw invalidArgument(`Invalid value at '${field}': label key '${key}' violates the label key requirements.`);
    if (typeof value !== 'string' || !VALUE.test(value)) {
      throw invalidArgument(`Invalid value at '${field}': label value '${String(value)}' of key '${key}' violates the label value requirements.`);
    }
  }
}

/** A description longer than Google allows (`max` UTF-8 bytes) is refused. */
export function checkLength(text: unknown, max: number, field: string): void {
  if (typeof text === 'string' && Buffer.byteLength(text) > max) {
    throw invalidArgument(`Invalid value at '${field}': at most ${max} bytes are allowed.`);
  }
}
