/**
 * Every field Google's discovery documents define for the request bodies the sandbox understands.
 * Generated once from the installed discovery-based type packages (for pubsub, bigquery and
 * artifactregistry, which have none, from the types vendored in vendor/googleapis); `fieldsOf<T>()`
 * makes the build fail if a list misses a field of T or names one T does not have, so a package
 * upgrade or a re-vendoring shows up here.
 * Output-only fields are listed too: Google accepts (and ignores) them in requests, it rejects only
 * names its schema does not define.
 */
import type { container_v1 } from '@googleapis/container';
import type { compute_v1 } from '@googleapis/compute';
import type { iam_v1 } from '@googleapis/iam';
import type { cloudresourcemanager_v1 } from '@googleapis/cloudresourcemanager';
import type { iamcredentials_v1 } from '@googleapis/iamcredentials';
import type { serviceusage_v1 } from '@googleapis/serviceusage';
import type { storage_v1 } from '@googleapis/storage';
import type { artifactregistry_v1 } from '../../vendor/googleapis/artifactregistry.js';
import type { bigquery_v2 } from '../../vendor/googleapis/bigquery.js';
import type { pubsub_v1 } from '../../vendor/googleapis/pubsub.js';
import { fieldsOf, nest } from './fields.js';

export const gkeNodeTaint = fieldsOf<container_v1.Schema$NodeTaint>()([
  'effect', 'key', 'value',
]);
export const gkeReservationAffinity = fieldsOf<container_v1.Schema$ReservationAffinity>()([
  'consumeReservationType', 'key', 'values',
]);
export const gkeNodeConfig = fieldsOf<container_v1.Schema$NodeConfig>()([
  'accelerators', 'advancedMachineFeatures', 'bootDisk', 'bootDiskKmsKey', 'confidentialNodes',
  'consolidationDelay', 'containerdConfig', 'diskSizeGb', 'diskType', 'effectiveCgroupMode',
  'enableConfidentialStorage', 'ephemeralStorageLocalSsdConfig', 'fastSocket', 'flexStart', 'gcfsConfig',
  'gpuDirectConfig', 'gvnic', 'imageType', 'kubeletConfig', 'labels', 'linuxNodeConfig',
  'localNvmeSsdBlockConfig', 'localSsdCount', 'localSsdEncryptionMode', 'loggingConfig', 'machineType',
  'maxRunDuration', 'metadata', 'minCpuPlatform', 'nodeGroup', 'nodeImageConfig', 'oauthScopes', 'preemptible',
  'reservationAffinity', 'resourceLabels', 'resourceManagerTags', 'sandboxConfig',
  'secondaryBootDiskUpdateStrategy', 'secondaryBootDisks', 'serviceAccount', 'shieldedInstanceConfig',
  'soleTenantConfig', 'spot', 'storagePools', 'tags', 'taintConfig', 'taints', 'windowsNodeConfig',
  'workloadMetadataConfig',
]);
export const gkeNodePoolAutoscaling = fieldsOf<container_v1.Schema$NodePoolAutoscaling>()([
  'autoprovisioned', 'enabled', 'locationPolicy', 'maxNodeCount', 'minNodeCount', 'totalMaxNodeCount',
  'totalMinNodeCount',
]);
export const gkeNodeManagement = fieldsOf<container_v1.Schema$NodeManagement>()([
  'autoRepair', 'autoUpgrade', 'upgradeOptions',
]);
export const gkePlacementPolicy = fieldsOf<container_v1.Schema$PlacementPolicy>()([
  'policyName', 'tpuTopology', 'type',
]);
export const gkeNodePool = fieldsOf<container_v1.Schema$NodePool>()([
  'autopilotConfig', 'autoscaling', 'bestEffortProvisioning', 'conditions', 'config', 'etag',
  'initialNodeCount', 'instanceGroupUrls', 'kubeletCertInfo', 'locations', 'maintenancePolicy', 'management',
  'maxPodsConstraint', 'name', 'networkConfig', 'nodeDrainConfig', 'placementPolicy', 'podIpv4CidrSize',
  'queuedProvisioning', 'selfLink', 'status', 'statusMessage', 'updateInfo', 'upgradeSettings', 'version',
]);
export const gkeIpAllocationPolicy = fieldsOf<container_v1.Schema$IPAllocationPolicy>()([
  'additionalIpRangesConfigs', 'additionalPodRangesConfig', 'autoIpamConfig', 'clusterIpv4Cidr',
  'clusterIpv4CidrBlock', 'clusterSecondaryRangeName', 'createSubnetwork', 'defaultPodIpv4RangeUtilization',
  'ipv6AccessType', 'networkTierConfig', 'nodeIpv4Cidr', 'nodeIpv4CidrBlock', 'podCidrOverprovisionConfig',
  'servicesIpv4Cidr', 'servicesIpv4CidrBlock', 'servicesIpv6CidrBlock', 'servicesSecondaryRangeName',
  'stackType', 'subnetIpv6CidrBlock', 'subnetworkName', 'tpuIpv4CidrBlock', 'useIpAliases', 'useRoutes',
]);
export const gkeWorkloadIdentityConfig = fieldsOf<container_v1.Schema$WorkloadIdentityConfig>()([
  'workloadPool',
]);
export const gkeReleaseChannel = fieldsOf<container_v1.Schema$ReleaseChannel>()([
  'channel',
]);
export const gkeAddonsConfig = fieldsOf<container_v1.Schema$AddonsConfig>()([
  'agentSandboxConfig', 'cloudRunConfig', 'configConnectorConfig', 'dnsCacheConfig',
  'gcePersistentDiskCsiDriverConfig', 'gcpFilestoreCsiDriverConfig', 'gcsFuseCsiDriverConfig',
  'gkeBackupAgentConfig', 'highScaleCheckpointingConfig', 'horizontalPodAutoscaling', 'httpLoadBalancing',
  'kubernetesDashboard', 'lustreCsiDriverConfig', 'networkPolicyConfig', 'nodeReadinessConfig',
  'parallelstoreCsiDriverConfig', 'podSnapshotConfig', 'rayOperatorConfig', 'sliceControllerConfig',
  'slurmOperatorConfig', 'statefulHaConfig',
]);
export const gkePrivateClusterConfig = fieldsOf<container_v1.Schema$PrivateClusterConfig>()([
  'enablePrivateEndpoint', 'enablePrivateNodes', 'masterGlobalAccessConfig', 'masterIpv4CidrBlock',
  'peeringName', 'privateEndpoint', 'privateEndpointSubnetwork', 'publicEndpoint',
]);
export const gkeCluster = fieldsOf<container_v1.Schema$Cluster>()([
  'addonsConfig', 'alphaClusterFeatureGates', 'anonymousAuthenticationConfig', 'authenticatorGroupsConfig',
  'autopilot', 'autoscaling', 'binaryAuthorization', 'clusterIpv4Cidr', 'compliancePostureConfig',
  'conditions', 'confidentialNodes', 'controlPlaneEgress', 'controlPlaneEndpointsConfig',
  'costManagementConfig', 'createTime', 'currentEmulatedVersion', 'currentMasterVersion', 'currentNodeCount',
  'currentNodeVersion', 'databaseEncryption', 'defaultMaxPodsConstraint', 'description', 'enableK8sBetaApis',
  'enableKubernetesAlpha', 'enableTpu', 'endpoint', 'enterpriseConfig', 'etag', 'expireTime', 'fleet',
  'gkeAutoUpgradeConfig', 'id', 'identityServiceConfig', 'initialClusterVersion', 'initialNodeCount',
  'instanceGroupUrls', 'ipAllocationPolicy', 'labelFingerprint', 'legacyAbac', 'location', 'locations',
  'loggingConfig', 'loggingService', 'maintenancePolicy', 'managedMachineLearningDiagnosticsConfig',
  'managedOpentelemetryConfig', 'masterAuth', 'masterAuthorizedNetworksConfig', 'meshCertificates',
  'monitoringConfig', 'monitoringService', 'name', 'network', 'networkConfig', 'networkPolicy', 'nodeConfig',
  'nodeCreationConfig', 'nodeIpv4CidrSize', 'nodePoolAutoConfig', 'nodePoolDefaults', 'nodePools',
  'notificationConfig', 'parentProductConfig', 'podAutoscaling', 'privateClusterConfig', 'rbacBindingConfig',
  'releaseChannel', 'resourceLabels', 'resourceUsageExportConfig', 'rollbackSafeUpgrade', 'satisfiesPzi',
  'satisfiesPzs', 'scheduleUpgradeConfig', 'secretManagerConfig', 'secretSyncConfig', 'securityPostureConfig',
  'selfLink', 'servicesIpv4Cidr', 'shieldedNodes', 'status', 'statusMessage', 'subnetwork', 'tpuIpv4CidrBlock',
  'userManagedKeysConfig', 'verticalPodAutoscaling', 'workloadIdentityConfig', 'zone',
]);
export const gkeCreateClusterRequest = fieldsOf<container_v1.Schema$CreateClusterRequest>()([
  'cluster', 'parent', 'projectId', 'zone',
]);
export const gkeCreateNodePoolRequest = fieldsOf<container_v1.Schema$CreateNodePoolRequest>()([
  'clusterId', 'nodePool', 'parent', 'projectId', 'zone',
]);
export const gkeSetLabelsRequest = fieldsOf<container_v1.Schema$SetLabelsRequest>()([
  'clusterId', 'labelFingerprint', 'name', 'projectId', 'resourceLabels', 'zone',
]);
export const gkeSetNodePoolSizeRequest = fieldsOf<container_v1.Schema$SetNodePoolSizeRequest>()([
  'clusterId', 'name', 'nodeCount', 'nodePoolId', 'projectId', 'zone',
]);
export const gkeSetNodePoolAutoscalingRequest = fieldsOf<container_v1.Schema$SetNodePoolAutoscalingRequest>()([
  'autoscaling', 'clusterId', 'name', 'nodePoolId', 'projectId', 'zone',
]);
export const computeNetworkRoutingConfig = fieldsOf<compute_v1.Schema$NetworkRoutingConfig>()([
  'bgpAlwaysCompareMed', 'bgpBestPathSelectionMode', 'bgpInterRegionCost', 'effectiveBgpAlwaysCompareMed',
  'effectiveBgpInterRegionCost', 'routingMode',
]);
export const computeNetwork = fieldsOf<compute_v1.Schema$Network>()([
  'IPv4Range', 'autoCreateSubnetworks', 'creationTimestamp', 'description', 'enableUlaInternalIpv6',
  'firewallPolicy', 'gatewayIPv4', 'id', 'internalIpv6Range', 'kind', 'mtu', 'name',
  'networkFirewallPolicyEnforcementOrder', 'networkProfile', 'params', 'peerings', 'routingConfig', 'selfLink',
  'selfLinkWithId', 'subnetworks',
]);
export const computeSubnetworkSecondaryRange = fieldsOf<compute_v1.Schema$SubnetworkSecondaryRange>()([
  'ipCidrRange', 'ipCollection', 'ipVersion', 'rangeName', 'reservedInternalRange',
]);
export const computeSubnetworkLogConfig = fieldsOf<compute_v1.Schema$SubnetworkLogConfig>()([
  'aggregationInterval', 'enable', 'filterExpr', 'flowSampling', 'metadata', 'metadataFields',
]);
export const computeSubnetwork = fieldsOf<compute_v1.Schema$Subnetwork>()([
  'allowSubnetCidrRoutesOverlap', 'creationTimestamp', 'description', 'enableFlowLogs', 'externalIpv6Prefix',
  'fingerprint', 'gatewayAddress', 'id', 'internalIpv6Prefix', 'ipCidrRange', 'ipCollection', 'ipv6AccessType',
  'ipv6CidrRange', 'ipv6GceEndpoint', 'kind', 'logConfig', 'name', 'network', 'params',
  'privateIpGoogleAccess', 'privateIpv6GoogleAccess', 'purpose', 'region', 'reservedInternalRange',
  'resolveSubnetMask', 'role', 'secondaryIpRanges', 'selfLink', 'stackType', 'state',
  'systemReservedExternalIpv6Ranges', 'systemReservedInternalIpv6Ranges', 'utilizationDetails',
]);
export const computeRouterNatSubnetwork = fieldsOf<compute_v1.Schema$RouterNatSubnetworkToNat>()([
  'name', 'secondaryIpRangeNames', 'sourceIpRangesToNat',
]);
export const computeRouterNatLogConfig = fieldsOf<compute_v1.Schema$RouterNatLogConfig>()([
  'enable', 'filter',
]);
export const computeRouterNat = fieldsOf<compute_v1.Schema$RouterNat>()([
  'autoNetworkTier', 'drainNatIps', 'effectiveTcpTimeWaitTimeoutSec', 'enableDynamicPortAllocation',
  'enableEndpointIndependentMapping', 'endpointTypes', 'icmpIdleTimeoutSec', 'logConfig', 'maxPortsPerVm',
  'minPortsPerVm', 'name', 'nat64Subnetworks', 'natIpAllocateOption', 'natIps', 'rules',
  'sourceSubnetworkIpRangesToNat', 'sourceSubnetworkIpRangesToNat64', 'subnetworks',
  'tcpEstablishedIdleTimeoutSec', 'tcpTimeWaitTimeoutSec', 'tcpTransitoryIdleTimeoutSec', 'type',
  'udpIdleTimeoutSec',
]);
export const computeRouterBgp = fieldsOf<compute_v1.Schema$RouterBgp>()([
  'advertiseMode', 'advertisedGroups', 'advertisedIpRanges', 'asn', 'identifierRange', 'keepaliveInterval',
]);
export const computeRouter = fieldsOf<compute_v1.Schema$Router>()([
  'bgp', 'bgpPeers', 'creationTimestamp', 'description', 'encryptedInterconnectRouter', 'id', 'interfaces',
  'kind', 'md5AuthenticationKeys', 'name', 'nats', 'nccGateway', 'network', 'params', 'region', 'selfLink',
]);
export const iamServiceAccount = fieldsOf<iam_v1.Schema$ServiceAccount>()([
  'description', 'disabled', 'displayName', 'email', 'etag', 'name', 'oauth2ClientId', 'projectId', 'uniqueId',
]);
export const iamCreateServiceAccountRequest = fieldsOf<iam_v1.Schema$CreateServiceAccountRequest>()([
  'accountId', 'serviceAccount',
]);
export const iamBinding = fieldsOf<iam_v1.Schema$Binding>()([
  'condition', 'members', 'role',
]);
export const iamPolicy = fieldsOf<iam_v1.Schema$Policy>()([
  'auditConfigs', 'bindings', 'etag', 'version',
]);
export const iamSetIamPolicyRequest = fieldsOf<iam_v1.Schema$SetIamPolicyRequest>()([
  'policy', 'updateMask',
]);
export const crmBinding = fieldsOf<cloudresourcemanager_v1.Schema$Binding>()([
  'condition', 'members', 'role',
]);
export const crmPolicy = fieldsOf<cloudresourcemanager_v1.Schema$Policy>()([
  'auditConfigs', 'bindings', 'etag', 'version',
]);
export const crmSetIamPolicyRequest = fieldsOf<cloudresourcemanager_v1.Schema$SetIamPolicyRequest>()([
  'policy', 'updateMask',
]);
export const crmGetPolicyOptions = fieldsOf<cloudresourcemanager_v1.Schema$GetPolicyOptions>()([
  'requestedPolicyVersion',
]);
export const crmTestIamPermissionsRequest = fieldsOf<cloudresourcemanager_v1.Schema$TestIamPermissionsRequest>()([
  'permissions',
]);
export const crmGetIamPolicyRequest = fieldsOf<cloudresourcemanager_v1.Schema$GetIamPolicyRequest>()([
  'options',
]);
export const iamcredentialsGenerateAccessTokenRequest = fieldsOf<iamcredentials_v1.Schema$GenerateAccessTokenRequest>()([
  'delegates', 'lifetime', 'scope',
]);
export const serviceusageBatchEnableServicesRequest = fieldsOf<serviceusage_v1.Schema$BatchEnableServicesRequest>()([
  'serviceIds',
]);
export const serviceusageDisableServiceRequest = fieldsOf<serviceusage_v1.Schema$DisableServiceRequest>()([
  'checkIfServiceHasUsage', 'disableDependentServices',
]);
export const storageBucketVersioning = fieldsOf<NonNullable<storage_v1.Schema$Bucket['versioning']>>()([
  'enabled',
]);
export const storageBucketIamConfiguration = fieldsOf<NonNullable<storage_v1.Schema$Bucket['iamConfiguration']>>()([
  'bucketPolicyOnly', 'publicAccessPrevention', 'uniformBucketLevelAccess',
]);
export const storageBucket = fieldsOf<storage_v1.Schema$Bucket>()([
  'acl', 'autoclass', 'billing', 'cors', 'customPlacementConfig', 'defaultEventBasedHold', 'defaultObjectAcl',
  'encryption', 'etag', 'generation', 'hardDeleteTime', 'hierarchicalNamespace', 'iamConfiguration', 'id',
  'ipFilter', 'kind', 'labels', 'lifecycle', 'location', 'locationType', 'logging', 'metageneration', 'name',
  'objectRetention', 'owner', 'projectNumber', 'retentionPolicy', 'rpo', 'satisfiesPZI', 'satisfiesPZS',
  'selfLink', 'softDeletePolicy', 'softDeleteTime', 'storageClass', 'timeCreated', 'updated', 'versioning',
  'website',
]);
export const storagePolicyBinding = fieldsOf<NonNullable<storage_v1.Schema$Policy['bindings']>[number]>()([
  'condition', 'members', 'role',
]);
export const storagePolicy = fieldsOf<storage_v1.Schema$Policy>()([
  'bindings', 'etag', 'kind', 'resourceId', 'version',
]);
export const pubsubSchema = fieldsOf<pubsub_v1.Schema$Schema>()([
  'definition', 'name', 'revisionCreateTime', 'revisionId', 'type',
]);
export const pubsubSchemaSettings = fieldsOf<pubsub_v1.Schema$SchemaSettings>()([
  'encoding', 'firstRevisionId', 'lastRevisionId', 'schema',
]);
export const pubsubTopic = fieldsOf<pubsub_v1.Schema$Topic>()([
  'ingestionDataSourceSettings', 'kmsKeyName', 'labels', 'messageRetentionDuration', 'messageStoragePolicy',
  'messageTransforms', 'name', 'satisfiesPzs', 'schemaSettings', 'state', 'tags',
]);
export const pubsubBigQueryConfig = fieldsOf<pubsub_v1.Schema$BigQueryConfig>()([
  'dropUnknownFields', 'serviceAccountEmail', 'state', 'table', 'useTableSchema', 'useTopicSchema',
  'writeMetadata',
]);
export const pubsubSubscription = fieldsOf<pubsub_v1.Schema$Subscription>()([
  'ackDeadlineSeconds', 'analyticsHubSubscriptionInfo', 'bigqueryConfig', 'cloudStorageConfig',
  'deadLetterPolicy', 'detached', 'enableExactlyOnceDelivery', 'enableMessageOrdering', 'expirationPolicy',
  'filter', 'labels', 'messageRetentionDuration', 'messageTransforms', 'name', 'pushConfig',
  'retainAckedMessages', 'retryPolicy', 'state', 'tags', 'topic', 'topicMessageRetentionDuration',
]);
/**
 * topics.patch / subscriptions.patch bodies (UpdateTopicRequest, UpdateSubscriptionRequest): the
 * vendored types lack them; their two fields are the discovery document's.
 */
interface UpdateTopicRequest { topic?: pubsub_v1.Schema$Topic; updateMask?: string }
interface UpdateSubscriptionRequest { subscription?: pubsub_v1.Schema$Subscription; updateMask?: string }
export const pubsubUpdateTopicRequest = fieldsOf<UpdateTopicRequest>()(['topic', 'updateMask']);
export const pubsubUpdateSubscriptionRequest = fieldsOf<UpdateSubscriptionRequest>()(['subscription', 'updateMask']);
export const bigqueryDatasetReference = fieldsOf<bigquery_v2.Schema$DatasetReference>()([
  'datasetId', 'projectId',
]);
export const bigqueryDataset = fieldsOf<bigquery_v2.Schema$Dataset>()([
  'access', 'creationTime', 'datasetReference', 'defaultCollation', 'defaultEncryptionConfiguration',
  'defaultPartitionExpirationMs', 'defaultRoundingMode', 'defaultTableExpirationMs', 'description', 'etag',
  'externalCatalogDatasetOptions', 'externalDatasetReference', 'friendlyName', 'id', 'isCaseInsensitive',
  'kind', 'labels', 'lastModifiedTime', 'linkedDatasetMetadata', 'linkedDatasetSource', 'location',
  'maxTimeTravelHours', 'resourceTags', 'restrictions', 'satisfiesPzi', 'satisfiesPzs', 'selfLink',
  'storageBillingModel', 'tags', 'type',
]);
export const bigqueryTableReference = fieldsOf<bigquery_v2.Schema$TableReference>()([
  'datasetId', 'projectId', 'tableId',
]);
export const bigqueryTableFieldSchema = fieldsOf<bigquery_v2.Schema$TableFieldSchema>()([
  'categories', 'collation', 'dataPolicies', 'defaultValueExpression', 'description', 'fields',
  'foreignTypeDefinition', 'maxLength', 'mode', 'name', 'policyTags', 'precision', 'rangeElementType',
  'roundingMode', 'scale', 'timestampPrecision', 'type',
]);
export const bigqueryTableSchema = fieldsOf<bigquery_v2.Schema$TableSchema>()([
  'fields', 'foreignTypeInfo',
]);
export const bigqueryTable = fieldsOf<bigquery_v2.Schema$Table>()([
  'biglakeConfiguration', 'cloneDefinition', 'clustering', 'creationTime', 'defaultCollation',
  'defaultRoundingMode', 'description', 'encryptionConfiguration', 'etag', 'expirationTime',
  'externalCatalogTableOptions', 'externalDataConfiguration', 'friendlyName', 'id', 'kind', 'labels',
  'lastModifiedTime', 'location', 'managedTableType', 'materializedView', 'materializedViewStatus',
  'maxStaleness', 'model', 'numActiveLogicalBytes', 'numActivePhysicalBytes', 'numBytes',
  'numCurrentPhysicalBytes', 'numLongTermBytes', 'numLongTermLogicalBytes', 'numLongTermPhysicalBytes',
  'numPartitions', 'numPhysicalBytes', 'numRows', 'numTimeTravelPhysicalBytes', 'numTotalLogicalBytes',
  'numTotalPhysicalBytes', 'partitionDefinition', 'rangePartitioning', 'replicas', 'requirePartitionFilter',
  'resourceTags', 'restrictions', 'schema', 'selfLink', 'snapshotDefinition', 'streamingBuffer',
  'tableConstraints', 'tableReference', 'tableReplicationInfo', 'timePartitioning', 'type', 'view',
]);
export const artifactRegistryRepository = fieldsOf<artifactregistry_v1.Schema$Repository>()([
  'cleanupPolicies', 'cleanupPolicyDryRun', 'createTime', 'description', 'disallowUnspecifiedMode',
  'dockerConfig', 'format', 'kmsKeyName', 'labels', 'mavenConfig', 'mode', 'name', 'registryUri',
  'remoteRepositoryConfig', 'satisfiesPzi', 'satisfiesPzs', 'sizeBytes', 'updateTime',
  'virtualRepositoryConfig', 'vulnerabilityScanningConfig',
]);

nest(gkeSetNodePoolAutoscalingRequest, { autoscaling: gkeNodePoolAutoscaling });
nest(gkeNodeConfig, { taints: [gkeNodeTaint], reservationAffinity: gkeReservationAffinity });
nest(gkeNodePool, { config: gkeNodeConfig, autoscaling: gkeNodePoolAutoscaling, management: gkeNodeManagement, placementPolicy: gkePlacementPolicy });
nest(gkeCluster, { nodePools: [gkeNodePool], ipAllocationPolicy: gkeIpAllocationPolicy, workloadIdentityConfig: gkeWorkloadIdentityConfig, releaseChannel: gkeReleaseChannel, addonsConfig: gkeAddonsConfig, privateClusterConfig: gkePrivateClusterConfig });
nest(gkeCreateClusterRequest, { cluster: gkeCluster });
nest(gkeCreateNodePoolRequest, { nodePool: gkeNodePool });
nest(computeNetwork, { routingConfig: computeNetworkRoutingConfig });
nest(computeSubnetwork, { secondaryIpRanges: [computeSubnetworkSecondaryRange], logConfig: computeSubnetworkLogConfig });
nest(computeRouterNat, { subnetworks: [computeRouterNatSubnetwork], logConfig: computeRouterNatLogConfig });
nest(computeRouter, { nats: [computeRouterNat], bgp: computeRouterBgp });
nest(iamCreateServiceAccountRequest, { serviceAccount: iamServiceAccount });
nest(iamPolicy, { bindings: [iamBinding] });
nest(iamSetIamPolicyRequest, { policy: iamPolicy });
nest(crmPolicy, { bindings: [crmBinding] });
nest(crmSetIamPolicyRequest, { policy: crmPolicy });
nest(crmGetIamPolicyRequest, { options: crmGetPolicyOptions });
nest(storageBucket, { versioning: storageBucketVersioning, iamConfiguration: storageBucketIamConfiguration });
nest(storagePolicy, { bindings: [storagePolicyBinding] });
nest(pubsubTopic, { schemaSettings: pubsubSchemaSettings });
nest(pubsubUpdateTopicRequest, { topic: pubsubTopic });
nest(pubsubUpdateSubscriptionRequest, { subscription: pubsubSubscription });
nest(pubsubSubscription, { bigqueryConfig: pubsubBigQueryConfig });
nest(bigqueryDataset, { datasetReference: bigqueryDatasetReference });
nest(bigqueryTableFieldSchema, { fields: [bigqueryTableFieldSchema] });
nest(bigqueryTableSchema, { fields: [bigqueryTableFieldSchema] });
nest(bigqueryTable, { tableReference: bigqueryTableReference, schema: bigqueryTableSchema });
