import { deployerStatus, type DeployerStatus } from '../../domain/saxml/status.js';
import { ClusterAccessError } from '../../kubernetes/port.js';
import { verb } from '../context.js';
import { accessStatus, loadRunning, observe, openCluster, recordStatus, specOf } from './deployer.js';

/**
 * `GET …/saxml/status`: what the cluster shows now, recorded (state, outputs and an event per
 * change) when it changed. While a delete runs, the teardown's last status: the delete verb is
 * what moves the teardown on. Only for the running operation that calls (its execution's steps).
 */
export const saxmlStatus = verb(async (deps, ctx, input: { id: string; operationId: string }): Promise<DeployerStatus> => {
  const record = await loadRunning(deps, input, ['create', 'update', 'delete']);
  if (record.operation?.target === 'delete' && record.saxml) return record.saxml;
  try {
    const client = await openCluster(deps, record);
    return await recordStatus(deps, ctx, record.id, deployerStatus(specOf(record), await observe(client, record)));
  } catch (error) {
    if (error instanceof ClusterAccessError) return recordStatus(deps, ctx, record.id, accessStatus(deps, record, error));
    throw error;
  }
});
