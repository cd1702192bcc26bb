import { deployerStatus, type DeployerStatus } from '../../domain/saxml/status.js';
import { ClusterAccessError } from '../../kubernetes/port.js';
import { verb } from '../context.js';
import { accessStatus, loadEnvironment, observe, openCluster, recordStatus, specOf } from './deployer.js';

/**
 * `GET …/saxml/status`: what the cluster shows now, recorded (state, outputs and an event per
 * change) when it changed. While a delete runs, the teardown's last status: the delete verb is
 * what moves the teardown on.
 */
export const saxmlStatus = verb(async (deps, ctx, input: { id: string }): Promise<DeployerStatus> => {
  const record = await loadEnvironment(deps, input.id);
  if (record.operation?.target === 'delete' && record.saxml) return record.saxml;
  try {
    const client = await openCluster(deps, record);
    return await recordStatus(deps, ctx, record.id, deployerStatus(specOf(record), await observe(client, record)));
  } catch (error) {
    if (error instanceof ClusterAccessError) return recordStatus(deps, ctx, record.id, accessStatus(deps, record, error));
    throw error;
  }
});
