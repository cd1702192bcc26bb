import { readFileSync } from 'node:fs';
import { parse, YAMLParseError } from 'yaml';
import { CliError } from './exit-codes.js';

/**
 * A spec (or a merge patch) from a file: YAML or JSON (JSON is YAML), `-` for standard input.
 * Reading and parsing failures are usage errors that name the file and, for syntax, the line.
 */
export function readDocument(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path === '-' ? 'standard input' : path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const at = error.linePos?.[0];
      throw new CliError(`${path} is not valid YAML or JSON${at ? ` (line ${at.line}, column ${at.col})` : ''}: ${error.message.split('\n')[0]}`);
    }
    throw error;
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new CliError(`${path} must hold one object (the spec's fields), not ${document === null ? 'nothing' : Array.isArray(document) ? 'a list' : typeof document}`);
  }
  return document;
}
