import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/**
 * A real headless browser for the status page's tests: the system's Chromium (Debian's
 * `chromium`; `.ci/run` installs it) driven by playwright-core, which downloads nothing. Every
 * run gets a fresh profile, and the browser resolves no name but the loopback addresses, so
 * neither the page nor Chromium's own background services can reach past this machine.
 */

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

function executable(): string | undefined {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) return explicit;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of CANDIDATES) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  return executable() ? undefined : `no Chromium found (looked for ${CANDIDATES.join(', ')} on PATH; set CHROMIUM_PATH, or install Debian's chromium as .ci/run does)`;
}

export interface Browser {
  context: BrowserContext;
  /** Every URL the pages asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
  // Names resolve to nothing except the loopback address the tests serve on.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

export async function launchBrowser(options: { viewport?: { width: number; height: number }; reducedMotion?: 'reduce' } = {}): Promise<Browser> {
  const path = executable();
  if (!path) throw new Error(browserSkipReason());
  const profile = mkdtempSync(join(tmpdir(), 'saxml-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: path,
    headless: true,
    args: FLAGS,
    viewport: options.viewport ?? { width: 1400, height: 1000 },
    ...(options.reducedMotion && { reducedMotion: options.reducedMotion }),
  });
  const requests: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  return {
    context,
    requests,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
