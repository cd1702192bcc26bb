import { createLogUpdate } from 'log-update';
import type { Environment, EnvironmentEvent } from '@saxml-environments/client';
import { duration, eventLine, headline, table } from './render.js';

/**
 * What `--wait` and `events --follow` show while an operation runs. On a terminal: a live view,
 * one line per stage with a bar, steps done/total, the running steps and the elapsed time, redrawn
 * in place (log-update does the terminal work). Elsewhere (a pipe, CI logs): one timestamped line
 * per stage and operation event, and per failed step. With `--output json`: nothing.
 */
export interface Progress {
  environment(env: Environment): void;
  event(event: EnvironmentEvent): void;
  /** The operation ended (or the wait stopped): leave the last picture on screen. */
  stop(): void;
}

export type ProgressMode = 'live' | 'lines' | 'silent';

export function createProgress(mode: ProgressMode, out: NodeJS.WriteStream): Progress {
  if (mode === 'silent') return { environment() {}, event() {}, stop() {} };
  return mode === 'live' ? liveView(out) : plainLines(out);
}

/** Events of the operation being followed (the history before it is not news). */
function ofCurrentOperation(env: Environment | undefined, event: EnvironmentEvent): boolean {
  return !!env?.operation && event.operationId === env.operation.id;
}

function plainLines(out: NodeJS.WriteStream): Progress {
  let env: Environment | undefined;
  return {
    environment(next) {
      env = next;
    },
    event(event) {
      if (!ofCurrentOperation(env, event)) return;
      if (event.type.startsWith('step.') && event.type !== 'step.failed') return;
      if (event.type === 'report.ignored') return;
      out.write(`${eventLine(event)}\n`);
    },
    stop() {},
  };
}

const BAR_WIDTH = 20;
const bar = (done: number, total: number) => {
  if (total === 0) return '·'.repeat(BAR_WIDTH);
  const filled = Math.round((done / total) * BAR_WIDTH);
  return '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
};

function liveView(out: NodeJS.WriteStream): Progress {
  const render = createLogUpdate(out);
  let env: Environment | undefined;
  /** Steps started and not finished, per stage, in the order they started. */
  const running = new Map<string, Set<string>>();

  const draw = () => {
    if (!env) return;
    const now = Date.now();
    const rows = env.stages.map((stage) => {
      const steps = [...(running.get(stage.name) ?? [])];
      const shown = steps.slice(0, 2).join(', ') + (steps.length > 2 ? ` +${steps.length - 2}` : '');
      const elapsed = stage.startTime ? duration((stage.endTime ? Date.parse(stage.endTime) : now) - Date.parse(stage.startTime)) : '';
      return [stage.name, bar(stage.steps.done, stage.steps.total), `${stage.steps.done}/${stage.steps.total}`, stage.state, elapsed, shown];
    });
    render(`${headline(env, now)}\n${table(rows)}`);
  };
  // The elapsed times move even when nothing else does.
  const ticker = setInterval(draw, 1000);
  ticker.unref();

  return {
    environment(next) {
      if (env?.operation?.id !== next.operation?.id) running.clear();
      env = next;
      draw();
    },
    event(event) {
      if (!ofCurrentOperation(env, event) || !event.step || !event.stage) return;
      const steps = running.get(event.stage) ?? new Set<string>();
      running.set(event.stage, steps);
      if (event.type === 'step.started') steps.add(event.step);
      else steps.delete(event.step);
      draw();
    },
    stop() {
      clearInterval(ticker);
      running.clear();
      draw();
      render.done();
    },
  };
}
