import { z } from 'zod';
import { resourceNames } from '../naming.js';
import type { NormalisedSpec } from '../spec.js';
import { COMPONENT_STATES, type DeployerStatus } from './status.js';

/**
 * What a user needs to use a Saxml environment (the `saxml` part of its outputs): how to reach the
 * cell, each model with its state, the command that fetches cluster credentials, and one example
 * request per model. Derived from the spec and the deployer's last status, so it is always in step
 * with what the cluster shows.
 */

export const SaxmlOutputsSchema = z
  .object({
    namespace: z.string(),
    cell: z.string().describe('The Sax cell, e.g. /sax/test'),
    state: z.enum(['DEPLOYING', 'READY', 'FAILED', 'DELETING', 'DELETED']),
    getCredentials: z.string().describe('The gcloud command that configures kubectl for the cluster'),
    proxy: z
      .object({
        url: z.string().optional().describe('Base URL of the HTTP proxy, once it has an address'),
        serviceType: z.enum(['LoadBalancer', 'ClusterIP', 'NodePort']),
      })
      .optional()
      .describe('Present when saxml.proxy.image is set'),
    reach: z.string().describe('How to send requests to the cell'),
    models: z.array(
      z.object({
        id: z.string(),
        modelId: z.string().describe('The Sax model id, e.g. /sax/test/llama7b'),
        modelPath: z.string(),
        tpuPool: z.string(),
        state: z.enum(COMPONENT_STATES),
        replicas: z.object({ requested: z.number().int(), ready: z.number().int() }),
        exampleRequest: z.string().describe('A command that sends one generate request to this model'),
      }),
    ),
  });

export type SaxmlOutputs = z.infer<typeof SaxmlOutputsSchema>;

const PROMPT = "Who is Harry Potter's mother?";
/** Single quotes for a POSIX shell. */
const shellQuote = (s: string) => `'${s.replaceAll("'", `'"'"'`)}'`;

export function saxmlOutputs(spec: NormalisedSpec, status: DeployerStatus): SaxmlOutputs {
  const names = resourceNames(spec);
  const sax = spec.saxml;
  const getCredentials = `gcloud container clusters get-credentials ${names.cluster} --region ${spec.region} --project ${spec.project}`;
  const proxyAddress = status.proxy?.address;
  const proxyUrl = proxyAddress ? `http://${proxyAddress}` : undefined;
  const saxRoot = `gs://${names.adminBucket}/sax-root`;
  // Without a proxy: a throw-away saxutil pod in the namespace, as the Workload Identity KSA.
  const saxutil = (args: string) =>
    `kubectl run saxutil-$RANDOM -n ${sax.namespace} --rm -i --restart=Never --image=${sax.images.util} ` +
    `--env=SAX_ROOT=${saxRoot} --overrides='{"spec":{"serviceAccountName":"${sax.serviceAccountName}"}}' -- ${args}`;
  const reach = sax.proxy.image
    ? proxyUrl
      ? `POST ${proxyUrl}/generate with {"prompt", "model_id"}${sax.proxy.serviceType === 'ClusterIP' ? ' from inside the cluster' : ''}`
      : 'the proxy has no address yet'
    : `no HTTP proxy (set saxml.proxy.image to deploy one): after "${getCredentials}", run saxutil in the cluster, e.g. ${saxutil(`ls ${sax.cell}`)}`;
  return {
    namespace: sax.namespace,
    cell: sax.cell,
    state: status.state,
    getCredentials,
    ...(sax.proxy.image && { proxy: { ...(proxyUrl && { url: proxyUrl }), serviceType: sax.proxy.serviceType } }),
    reach,
    models: sax.models.map((model) => {
      const observed = status.models[model.id];
      const modelId = `${sax.cell}/${model.id}`;
      const exampleRequest = sax.proxy.image
        ? `curl -s -X POST ${proxyUrl ?? 'http://<proxy address>'}/generate -H 'content-type: application/json' -d ${shellQuote(JSON.stringify({ prompt: PROMPT, model_id: modelId }))}`
        : saxutil(`lm.generate ${modelId} ${shellQuote(PROMPT)}`);
      return {
        id: model.id,
        modelId,
        modelPath: model.modelPath,
        tpuPool: model.tpuPool,
        state: observed?.state ?? 'DEPLOYING',
        replicas: observed?.replicas ?? { requested: model.replicas, ready: 0 },
        exampleRequest,
      };
    }),
  };
}
