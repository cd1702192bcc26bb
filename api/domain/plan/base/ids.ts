/** Ids of the base stage's steps: its families wait for one another's, and Saxml for several. */
export const BASE_STEPS = {
  network: 'base.network',
  subnet: 'base.subnet',
  router: 'base.router',
  nodeAccount: 'base.node-sa',
  nodeAccountRoles: 'base.node-sa.roles',
  nodeAccountActAs: 'base.node-sa.act-as',
  workloadAccount: 'base.workload-sa',
  workloadAccountRoles: 'base.workload-sa.roles',
  adminBucket: 'base.bucket.admin',
  adminBucketIam: 'base.bucket.admin.iam',
  modelBucket: 'base.bucket.models',
  modelBucketIam: 'base.bucket.models.iam',
  artifactRegistry: 'base.artifact-registry',
  cluster: 'base.cluster',
  tpuPool: (name: string) => `base.tpu-pool.${name}`,
  workloadIdentity: 'base.workload-identity',
} as const;
