import { emptyProgress, type EnvironmentRecord, type NewEvent, type Operation, type Stage } from './environment.js';
import type { NotificationTarget } from './notifications/targets.js';
import { enteredStateEvent, startedEvent } from './operations.js';
import { STAGES } from './plan/stages.js';
import type { Plan } from './plan/types.js';
import { withStages } from './progress.js';
import type { EnvironmentSpec } from './spec.js';

function initialStages(spec: EnvironmentSpec): Stage[] {
  const steps = { total: 0, done: 0, failed: 0 };
  return STAGES.map((stage) => ({ name: stage.name, state: stage.enabled(spec) ? 'PENDING' : 'SKIPPED', steps }));
}

/**
 * A just-recorded environment with its RUNNING create operation (and the events saying so); step
 * totals from its plan. `spec` is what may be stored (notification URLs redacted, no secrets); the
 * targets themselves come sealed.
 */
export function newEnvironment(
  spec: EnvironmentSpec,
  input: { id: string; operationId: string; time: string; createdBy: string; plan: Plan; expireTime?: string; notifications?: NotificationTarget[] },
): { record: EnvironmentRecord; events: NewEvent[] } {
  const operation: Operation = { id: input.operationId, kind: 'create', target: 'create', state: 'RUNNING', startTime: input.time };
  const record: EnvironmentRecord = {
    id: input.id,
    name: spec.name,
    project: spec.project,
    region: spec.region,
    labels: spec.labels,
    spec,
    state: 'CREATING',
    stages: initialStages(spec),
    outputs: {},
    progress: emptyProgress(),
    stateTimes: { since: input.time, seconds: {} },
    notifications: input.notifications ?? [],
    disabledTargets: {},
    operation,
    ...(input.expireTime && { expireTime: input.expireTime }),
    createTime: input.time,
    updateTime: input.time,
    createdBy: input.createdBy,
    version: 1,
  };
  return {
    record: withStages(record, input.plan, input.time).record,
    events: [startedEvent(operation, input.time, 'create operation started'), enteredStateEvent(record, operation, input.time)!],
  };
}
