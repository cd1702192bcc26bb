import { describe, expect, it } from 'vitest';
import { ExecutionNotFoundError } from '../../../api/engine/port.js';
import { LocalWorkflowEngine, WorkflowLoadError } from '../../../api/engine/local/index.js';
import { FakeClock, harness, startServer, tokens } from './helpers.js';

const SLEEPY = `
main:
  params: [args]
  steps:
    - before:
        assign:
          - trail: ["before"]
    - nap:
        call: sys.sleep
        args:
          seconds: \${args.seconds}
    - after:
        assign:
          - trail: \${list.concat(trail, "after")}
    - log:
        call: sys.log
        args:
          json: {stage: "done", who: '\${args.who}'}
          severity: INFO
    - done:
        return: \${trail}
`;

describe('LocalWorkflowEngine', () => {
  it('start() returns at once with an ACTIVE execution that later SUCCEEDS with result, times and steps', async () => {
    const clock = new FakeClock();
    const { engine, logs } = harness(SLEEPY, { clock });
    const { name } = await engine.start({ argument: { seconds: 30, who: 'a' }, labels: { env: 'e1' } });
    expect(name).toMatch(/^projects\/local\/locations\/local\/workflows\/local\/executions\/[0-9a-f-]{36}$/);
    const early = await engine.get(name);
    expect(early).toMatchObject({ state: 'ACTIVE', labels: { env: 'e1' }, argument: { seconds: 30, who: 'a' }, billableSteps: 0 });
    expect(early.endTime).toBeUndefined();

    await clock.waitForPending();
    expect((await engine.get(name)).billableSteps).toBe(2);
    clock.advance(30_000);
    const s = await engine.waitFor(name);
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toEqual(['before', 'after']);
    expect(s.billableSteps).toBe(5);
    expect(s.startTime).toBe('2024-01-10T16:15:54.615Z');
    expect(s.endTime).toBe('2024-01-10T16:16:24.615Z');
    expect(logs.filter((l) => l.step === 'log')).toEqual([{ severity: 'INFO', message: '{"stage":"done","who":"a"}', execution: name, step: 'log', data: { stage: 'done', who: 'a' } }]);
  });

  it('throws ExecutionNotFoundError for unknown names (as after a restart)', async () => {
    const { engine } = harness(SLEEPY);
    await expect(engine.get('projects/local/locations/local/workflows/local/executions/nope')).rejects.toBeInstanceOf(ExecutionNotFoundError);
    await expect(engine.cancel('nope')).rejects.toBeInstanceOf(ExecutionNotFoundError);
    await expect(engine.waitFor('nope')).rejects.toBeInstanceOf(ExecutionNotFoundError);
  });

  it('cancel() during sys.sleep stops the execution before the next step; cancel is idempotent', async () => {
    const clock = new FakeClock();
    const { engine, logs } = harness(SLEEPY, { clock });
    const { name } = await engine.start({ argument: { seconds: 3600, who: 'b' }, labels: {} });
    await clock.waitForPending();
    const cancelled = await engine.cancel(name);
    expect(cancelled.state).toBe('CANCELLED');
    const s = await engine.waitFor(name);
    expect(s.state).toBe('CANCELLED');
    expect(s.result).toBeUndefined();
    expect(s.error).toBeUndefined();
    expect(s.endTime).toBeDefined();
    expect(s.billableSteps).toBe(2);
    expect(clock.pendingCount).toBe(0);
    expect(logs.some((l) => l.step === 'log')).toBe(false);
    expect((await engine.cancel(name)).state).toBe('CANCELLED');
  });

  it('cancel() aborts an HTTP request in flight', async () => {
    let seen!: () => void;
    const requestSeen = new Promise<void>((r) => (seen = r));
    const server = await startServer(() => seen());
    try {
      const { engine } = harness(`
main:
  params: [args]
  steps:
    - get:
        call: http.get
        args: {url: '\${args.url}'}
    - never:
        return: "not reached"
`);
      const { name } = await engine.start({ argument: { url: `${server.url}/hang` }, labels: {} });
      await requestSeen;
      await engine.cancel(name);
      const s = await engine.waitFor(name);
      expect(s.state).toBe('CANCELLED');
      expect(s.billableSteps).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('cancelling a finished execution changes nothing', async () => {
    const { engine } = harness(SLEEPY);
    const s = await engine.executeOnce({ seconds: 1, who: 'c' });
    expect(s.state).toBe('SUCCEEDED');
    expect((await engine.cancel(s.name)).state).toBe('SUCCEEDED');
  });

  it('scales sys.sleep by the time factor', async () => {
    const { engine, clock } = harness(SLEEPY, { timeScale: 0.01 });
    await engine.executeOnce({ seconds: 10, who: 'd' });
    expect(clock.requested).toEqual([100]);
  });

  it('runs executions concurrently and independently; list() and shutdown() see them all', async () => {
    const clock = new FakeClock();
    const { engine } = harness(SLEEPY, { clock });
    const a = await engine.start({ argument: { seconds: 10, who: 'a' }, labels: {} });
    const b = await engine.start({ argument: { seconds: 20, who: 'b' }, labels: {} });
    const c = await engine.start({ argument: { seconds: 99, who: 'c' }, labels: {} });
    await clock.waitForPending(3);
    clock.advance(10_000);
    expect((await engine.waitFor(a.name)).state).toBe('SUCCEEDED');
    expect((await engine.get(b.name)).state).toBe('ACTIVE');
    clock.advance(10_000);
    expect((await engine.waitFor(b.name)).state).toBe('SUCCEEDED');
    expect(engine.list().map((x) => x.state).sort()).toEqual(['ACTIVE', 'SUCCEEDED', 'SUCCEEDED']);
    await engine.shutdown();
    expect((await engine.get(c.name)).state).toBe('CANCELLED');
  });

  it('fails loudly at construction when the definition is invalid', () => {
    expect(() => new LocalWorkflowEngine({ definition: '- s:\n    call: nope\n', tokens })).toThrow(WorkflowLoadError);
  });
});
