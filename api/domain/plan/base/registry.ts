import type { Ctx, StepDef } from '../context.js';
import { compact, type Bodies } from '../google.js';
import { resourceStep } from '../resources.js';
import { BASE_STEPS } from './ids.js';

/** The Artifact Registry repository for serving images, when the spec wants one. */
export function registrySteps(ctx: Ctx): StepDef[] {
  const { spec, names, urls } = ctx;
  if (!spec.artifactRegistry.enabled) return [];
  const location = spec.artifactRegistry.location;
  const repo = names.artifactRegistry;
  const body: Bodies['repository'] = compact({
    format: 'DOCKER',
    mode: 'STANDARD_REPOSITORY',
    description: `Serving images of Saxml environment ${spec.name}`,
    labels: ctx.labels,
  });
  return [resourceStep(
    {
      id: BASE_STEPS.artifactRegistry,
      stage: 'base',
      title: `Create the Artifact Registry repository ${repo} in ${location}`,
      after: ctx.automationAfter(['artifactregistry']),
      as: 'automation',
      outputs: { artifactRegistry: `${location}-docker.pkg.dev/${spec.project}/${repo}` },
    },
    {
      url: urls.artifactregistry.repository(location, repo),
      create: { method: 'POST', url: urls.artifactregistry.repositories(location, repo), body },
      poll: { longrunning: urls.base('artifactregistry') },
      owner: ctx.mark.byLabel('labels', `Artifact Registry repository ${repo} in ${location}`, 'pick another name in artifactRegistry.name, or set artifactRegistry.enabled to false'),
      undo: { title: `Delete the Artifact Registry repository ${repo}` },
    },
  )];
}
