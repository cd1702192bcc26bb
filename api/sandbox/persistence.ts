/**
 * The sandbox's state across restarts of the local process: `npm start` stopped during a create
 * must find the cloud as it left it (the automation account, its grants, the half-made cluster and
 * the operations still running), or every recorded environment would be stuck. The state is written
 * after every call that may have changed it, whole and atomically (a temporary file renamed over the
 * old one), so a process killed at any moment leaves the last complete state. Faults and the call log
 * are not state: they start afresh.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GoogleApiError } from './errors.js';
import type { World } from './state.js';

/** Where a sandbox keeps its state (a file in DATA_DIR locally; tests may keep it in memory). */
export interface SandboxStore {
  /** The saved text, or undefined when nothing was saved yet. */
  load(): string | undefined;
  save(text: string): void;
}

const FORMAT = 1;

/** Maps and Google errors do not survive JSON by themselves: they are tagged. */
function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Map) return { $map: [...value.entries()] };
  if (value instanceof GoogleApiError) {
    return { $error: { httpStatus: value.httpStatus, status: value.status, message: value.message, options: value.options } };
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as { $map?: [unknown, unknown][]; $error?: { httpStatus: number; status: GoogleApiError['status']; message: string; options: object } };
    if (v.$map) return new Map(v.$map);
    if (v.$error) return new GoogleApiError(v.$error.httpStatus, v.$error.status, v.$error.message, v.$error.options);
  }
  return value;
}

export function saveWorld(world: World, store: SandboxStore): void {
  store.save(JSON.stringify({ format: FORMAT, state: world.toData() }, replacer));
}

/** Restores a saved state; false when there was none. A state this version cannot read stops the start. */
export function loadWorld(world: World, store: SandboxStore): boolean {
  const text = store.load();
  if (text === undefined) return false;
  const saved = JSON.parse(text, reviver) as { format?: number; state?: Record<string, unknown> };
  if (saved.format !== FORMAT || !saved.state) throw new Error(`sandbox: saved state of unknown format ${String(saved.format)}`);
  world.fromData(saved.state);
  return true;
}

/** A store in one file, replaced atomically on every save. */
export function fileStore(path: string): SandboxStore {
  return {
    load() {
      try {
        return readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    save(text) {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, path);
    },
  };
}
