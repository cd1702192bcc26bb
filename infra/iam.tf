# Two identities, each with only what it uses.
#
# runtime  — the Cloud Run service: reads/writes Firestore, starts/reads/cancels executions, logs,
#            and deploys Saxml onto the environments' clusters as each project's automation account:
#            the bootstrap stage of every environment grants it serviceAccountTokenCreator on that
#            one account (never project-wide here).
# workflow — the plan executor: logs, calls the service's internal routes (run.invoker, granted on
#            the service in run.tf), and runs the bootstrap steps in the target projects.

resource "google_service_account" "runtime" {
  project      = var.project_id
  account_id   = "saxml-env-api"
  display_name = "Saxml environments API (Cloud Run runtime)"
  depends_on   = [google_project_service.enabled]
}

resource "google_service_account" "workflow" {
  project      = var.project_id
  account_id   = "saxml-env-workflow"
  display_name = "Saxml environments workflow (plan executor)"
  depends_on   = [google_project_service.enabled]
}

resource "google_project_iam_member" "runtime" {
  for_each = toset([
    "roles/datastore.user",    # Firestore documents and transactions
    "roles/workflows.invoker", # executions: create, get, cancel, list
    "roles/logging.logWriter", # structured logs
  ])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.runtime.email}"
}

resource "google_project_iam_member" "workflow" {
  for_each = toset([
    "roles/logging.logWriter", # sys.log and LOG_ERRORS_ONLY call logs
  ])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.workflow.email}"
}

# Bootstrap steps (enable services, create the automation service account and bucket, grant it
# roles) run as the workflow identity in each target project, before the automation account exists.
# Optional here: target projects are often owned by other teams, who grant these themselves.
locals {
  workflow_target_roles = [
    "roles/serviceusage.serviceUsageAdmin",
    "roles/iam.serviceAccountAdmin",
    "roles/resourcemanager.projectIamAdmin",
    "roles/storage.admin",
  ]
  workflow_target_grants = {
    for pair in setproduct(var.target_projects, local.workflow_target_roles) :
    "${pair[0]}/${pair[1]}" => { project = pair[0], role = pair[1] }
  }
  runtime_target_roles = [
    "roles/compute.viewer",
    "roles/container.clusterViewer",
  ]
  runtime_target_grants = {
    for pair in setproduct(var.target_projects, local.runtime_target_roles) :
    "${pair[0]}/${pair[1]}" => { project = pair[0], role = pair[1] }
  }
}

# The runtime account reads each target project, read-only (api/domain/defaults.ts
# RUNTIME_TARGET_ROLES): regional quotas and reservations for the quota preflight (README "Quota
# preflight"), and the clusters' endpoint and CA for the Saxml deployer (getCluster), which then
# acts on the cluster with an access token of the project's automation account.
resource "google_project_iam_member" "runtime_reads_target_projects" {
  for_each = local.runtime_target_grants

  project = each.value.project
  role    = each.value.role
  member  = "serviceAccount:${google_service_account.runtime.email}"
}

resource "google_project_iam_member" "workflow_in_target_projects" {
  for_each = local.workflow_target_grants

  project = each.value.project
  role    = each.value.role
  member  = "serviceAccount:${google_service_account.workflow.email}"
}
