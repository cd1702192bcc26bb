import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from '../../api/scripts/net.js';
import type { TestProject } from 'vitest/node';

/** Where Debian 12 images ship Google's Firestore emulator (it cannot be installed from here). */
export const FIRESTORE_EMULATOR_JAR =
  process.env.FIRESTORE_EMULATOR_JAR ??
  '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar';

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of a running Firestore emulator, or the reason there is none. */
    firestoreEmulator: { host: string } | { skipReason: string };
  }
}

async function waitUntilServing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Firestore emulator exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Firestore emulator did not answer on ${url} within ${timeoutMs} ms`);
}

/**
 * Starts Google's Firestore emulator once for the whole run when its jar is installed (or uses the
 * one .ci/run already started), so the store contract suite can run against real Firestore
 * semantics; otherwise tells the suite why it must skip.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  if (process.env.FIRESTORE_EMULATOR_HOST) {
    project.provide('firestoreEmulator', { host: process.env.FIRESTORE_EMULATOR_HOST });
    return () => {};
  }
  if (!existsSync(FIRESTORE_EMULATOR_JAR)) {
    project.provide('firestoreEmulator', {
      skipReason: `Firestore emulator jar not installed at ${FIRESTORE_EMULATOR_JAR} (set FIRESTORE_EMULATOR_HOST or FIRESTORE_EMULATOR_JAR)`,
    });
    return () => {};
  }
  const port = await freePort();
  const child = spawn(
    'java',
    ['-Xmx512m', '-Duser.language=en', '-cp', FIRESTORE_EMULATOR_JAR,
      'com.google.cloud.datastore.emulator.firestore.CloudFirestore', '--host=127.0.0.1', `--port=${port}`],
    { stdio: 'ignore' },
  );
  try {
    await waitUntilServing(`http://127.0.0.1:${port}/`, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    project.provide('firestoreEmulator', { skipReason: `Firestore emulator failed to start: ${(error as Error).message}` });
    return () => {};
  }
  project.provide('firestoreEmulator', { host: `127.0.0.1:${port}` });
  return () => {
    child.kill('SIGTERM');
  };
}
