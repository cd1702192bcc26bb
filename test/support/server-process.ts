import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/**
 * `npm start` as a child process (`node --import tsx api/server.ts`), its JSON log lines collected
 * as they come. Tests wait for a line to appear — an event, not a sleep.
 */
export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Messages of the log lines so far. */
  messages(): string[];
  /** Resolves with the first message (already written or to come) that matches; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<string>;
  /** Kills it with `signal` and resolves with its exit code (null when killed by the signal). */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', METADATA_SERVER_DETECTION: 'none', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const messages: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (m: string) => void; reject: (e: Error) => void }>();
  const exited = once(child, 'exit');
  void exited.then(() => {
    for (const w of waiters) w.reject(new Error(`the server exited before logging ${w.pattern}; it logged:\n${messages.join('\n')}`));
    waiters.clear();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let message = line;
    try {
      message = (JSON.parse(line) as { message: string }).message;
    } catch {
      // not a JSON log line: kept as it is
    }
    messages.push(message);
    for (const w of waiters) {
      if (w.pattern.test(message)) {
        waiters.delete(w);
        w.resolve(message);
      }
    }
  });
  const waitFor = (pattern: RegExp) => {
    const seen = messages.find((m) => pattern.test(m));
    if (seen !== undefined) return Promise.resolve(seen);
    if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`the server has exited; it logged:\n${messages.join('\n')}`));
    return new Promise<string>((resolve, reject) => waiters.add({ pattern, resolve, reject }));
  };
  const listening = await waitFor(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
  return {
    child,
    baseUrl: listening.replace(/^listening on /, ''),
    messages: () => [...messages],
    waitFor,
    async stop(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = await exited;
      return code as number | null;
    },
  };
}
