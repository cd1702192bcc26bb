import { createRequire } from 'node:module';
import { afterEach, expect } from 'vitest';

// Runs in every test worker before any test file: no Google client may look for ambient
// credentials or the metadata server (that would be traffic leaving the machine).
process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GOOGLE_CLOUD_PROJECT ??= 'test-project';
delete process.env.GOOGLE_APPLICATION_CREDENTIALS;

// And should anything try anyway, in this process or one a test starts, it is refused before a
// packet leaves, and the test that tried fails (metadata-tripwire.cjs).
const require = createRequire(import.meta.url);
const tripwire = require.resolve('./metadata-tripwire.cjs');
const { attempts } = require(tripwire) as { attempts: string[] };
if (!process.env.NODE_OPTIONS?.includes(tripwire)) {
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(tripwire)}`.trim();
}
afterEach(() => {
  expect(attempts.splice(0), 'attempts to reach the metadata server').toEqual([]);
});
