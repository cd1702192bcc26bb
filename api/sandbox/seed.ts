/**
 * What a project's IAM policy holds before an environment touches it. Real projects carry a few
 * hundred bindings (teams, groups, CI accounts, custom roles, conditional grants, Google's service
 * agents); a client that reads the policy, changes two bindings and writes it back must carry all
 * of them — within the Workflows memory limit too. Deterministic per project.
 */
import { hash32 } from './hash.js';
import type { Binding } from './state.js';

const PREDEFINED = [
  'roles/viewer', 'roles/browser', 'roles/logging.viewer', 'roles/logging.privateLogViewer', 'roles/monitoring.viewer',
  'roles/monitoring.editor', 'roles/cloudsql.client', 'roles/cloudsql.viewer', 'roles/secretmanager.secretAccessor',
  'roles/secretmanager.viewer', 'roles/run.invoker', 'roles/run.viewer', 'roles/cloudbuild.builds.viewer',
  'roles/cloudfunctions.viewer', 'roles/dataflow.viewer', 'roles/dataproc.viewer', 'roles/bigquery.jobUser',
  'roles/bigquery.dataViewer', 'roles/bigquery.user', 'roles/pubsub.viewer', 'roles/pubsub.subscriber',
  'roles/storage.objectViewer', 'roles/compute.viewer', 'roles/compute.osLogin', 'roles/iap.tunnelResourceAccessor',
  'roles/container.viewer', 'roles/container.developer', 'roles/artifactregistry.reader', 'roles/errorreporting.viewer',
  'roles/cloudtrace.user', 'roles/cloudprofiler.user', 'roles/serviceusage.serviceUsageViewer', 'roles/iam.roleViewer',
  'roles/iam.securityReviewer', 'roles/billing.projectManager', 'roles/recommender.viewer', 'roles/aiplatform.user',
  'roles/notebooks.viewer', 'roles/datastore.viewer', 'roles/redis.viewer',
];

const AGENTS = [
  'compute-system.iam.gserviceaccount.com', 'container-engine-robot.iam.gserviceaccount.com',
  'gcp-sa-artifactregistry.iam.gserviceaccount.com', 'gcp-sa-cloudbuild.iam.gserviceaccount.com',
  'gcp-sa-logging.iam.gserviceaccount.com', 'gcp-sa-monitoring-notification.iam.gserviceaccount.com',
  'gcp-sa-aiplatform.iam.gserviceaccount.com', 'serverless-robot-prod.iam.gserviceaccount.com',
];

export function seedBindings(projectId: string, projectNumber: string, count: number): Binding[] {
  const bindings: Binding[] = [];
  const pick = <T>(list: readonly T[], i: number, salt: string) => list[hash32(`${projectId}/${salt}/${i}`) % list.length]!;
  const people = (i: number) => {
    const n = 1 + (hash32(`${projectId}/n/${i}`) % 4);
    return Array.from({ length: n }, (_, j) => {
      const who = hash32(`${projectId}/who/${i}/${j}`) % 6;
      const id = hash32(`${projectId}/id/${i}/${j}`) % 900 + 100;
      return who === 0 ? `group:team-${id}@example.com`
        : who === 1 ? `serviceAccount:ci-${id}@${projectId}.iam.gserviceaccount.com`
        : `user:engineer-${id}@example.com`;
    }).sort();
  };
  // Google's service agents hold their own roles on every project that uses their service.
  for (const domain of AGENTS) {
    if (bindings.length >= count) break;
    const role = `roles/${domain.split('.')[0]!.replace(/^gcp-sa-/, '')}.serviceAgent`;
    bindings.push({ role, members: [`serviceAccount:service-${projectNumber}@${domain}`] });
  }
  for (const role of PREDEFINED) {
    if (bindings.length >= count) break;
    bindings.push({ role, members: people(bindings.length) });
  }
  // The rest: the organisation's custom roles, some with IAM Conditions (policy version 3).
  for (let i = 0; bindings.length < count; i++) {
    const role = `projects/${projectId}/roles/${pick(['dataAccess', 'deployer', 'oncall', 'auditor', 'pipeline'], i, 'custom')}_${i}`;
    const conditional = i % 7 === 3;
    bindings.push({
      role,
      members: people(bindings.length),
      ...(conditional
        ? { condition: { title: `expires-${2027 + (i % 3)}`, expression: `request.time < timestamp("${2027 + (i % 3)}-01-01T00:00:00Z")` } }
        : {}),
    });
  }
  return bindings;
}
