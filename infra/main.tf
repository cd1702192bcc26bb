# Shared values and the APIs every other file depends on.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  # Cloud Run's deterministic URL. The service's own URL is the audience of the ID tokens it
  # accepts and the base URL the workflow calls back; it cannot be read from the service while the
  # service is being defined (a cycle), so it is computed from the name, project number and region.
  service_url = "https://${var.service_name}-${data.google_project.this.number}.${var.region}.run.app"

  labels = merge({ app = "saxml-environments" }, var.labels)

  services = toset([
    "run.googleapis.com",
    "workflows.googleapis.com",
    "workflowexecutions.googleapis.com", # the Executions API the service calls to start runs
    "firestore.googleapis.com",
    "iamcredentials.googleapis.com",
    "iam.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "serviceusage.googleapis.com",
    "artifactregistry.googleapis.com",
    "logging.googleapis.com",
    "secretmanager.googleapis.com",  # the notification encryption key
    "cloudscheduler.googleapis.com", # drains the notification outbox; runs the reconcile job (scheduler.tf)
  ])
}

resource "google_project_service" "enabled" {
  for_each = local.services

  project = var.project_id
  service = each.value
  # Other workloads in the project may use these APIs too: never switch them off on destroy.
  disable_on_destroy         = false
  disable_dependent_services = false
}
