variable "project_id" {
  description = "Project that hosts the control plane (Cloud Run, Firestore, the workflow)."
  type        = string
}

variable "region" {
  description = "Region of the Cloud Run service and the workflow (also WORKFLOW_LOCATION)."
  type        = string
  default     = "us-central1"
}

variable "image" {
  description = "Container image of the service, e.g. us-central1-docker.pkg.dev/P/saxml/api:1.2.3 (built from the repo Dockerfile)."
  type        = string
}

variable "service_name" {
  description = "Cloud Run service name. It is part of the service URL, which is also the ID-token audience."
  type        = string
  default     = "saxml-environments-api"
}

variable "extra_audiences" {
  description = <<-EOT
    More ID-token audiences the service accepts besides its deterministic URL (API_AUDIENCE): set it
    to the `service_url` output (Cloud Run's other run.app URL, known once the service exists) after
    the first apply, and to any custom domain that fronts the service.
  EOT
  type        = list(string)
  default     = []
}

variable "workflow_name" {
  description = "Cloud Workflows workflow id (WORKFLOW_NAME)."
  type        = string
  default     = "saxml-environment"
}

variable "firestore_database" {
  description = "Firestore database id (FIRESTORE_DATABASE). Use a named database to avoid clashing with an existing (default) one."
  type        = string
  default     = "(default)"
}

variable "firestore_location" {
  description = "Firestore location: a multi-region (nam5, eur3) or a region. Cannot be changed after creation."
  type        = string
  default     = "nam5"
}

variable "allowed_principals" {
  description = <<-EOT
    Who may call the public API (ALLOWED_PRINCIPALS, and Cloud Run invoker). Entries:
    user:alice@example.com, serviceAccount:ci@p.iam.gserviceaccount.com, domain:example.com,
    optionally prefixed by "project-id/" to limit the entry to environments in that project.
  EOT
  type        = list(string)

  validation {
    # Same rule as AllowEntrySchema in api/config.ts, so a bad entry fails at plan time, not at boot.
    condition = length(var.allowed_principals) > 0 && alltrue([
      for p in var.allowed_principals :
      can(regex("^(?:[a-z][a-z0-9-]{4,28}[a-z0-9]/)?(?:(?:user|serviceAccount):[^@\\s]+@[^@\\s]+|domain:[a-z0-9.-]+\\.[a-z]{2,})$", p))
    ])
    error_message = "Give at least one entry. Entries look like user:alice@example.com, serviceAccount:ci@p.iam.gserviceaccount.com or domain:example.com, optionally prefixed by \"project-id/\"."
  }
}

variable "target_projects" {
  description = <<-EOT
    Projects where environments will be provisioned. When set, this configuration grants the
    workflow service account the bootstrap roles there (the applier needs projectIamAdmin on them).
    Leave empty to grant them by hand (see README).
  EOT
  type        = list(string)
  default     = []
}

variable "reconcile_schedule" {
  description = "Cron schedule (UTC) of the Cloud Scheduler job that settles operations and expires environments."
  type        = string
  default     = "*/5 * * * *"
}

variable "min_instances" {
  description = "Minimum Cloud Run instances. With 0, background reconciliation runs only while requests keep an instance alive."
  type        = number
  default     = 0
}

variable "max_instances" {
  description = "Maximum Cloud Run instances."
  type        = number
  default     = 5
}

variable "cpu_always_allocated" {
  description = "Keep CPU allocated outside requests (instance-based billing) so the reconciler's timer runs between requests (notifications do not need it: Cloud Scheduler drains them)."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Protect the Cloud Run service, the workflow and the Firestore database from `terraform destroy`."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels added to the resources that take labels."
  type        = map(string)
  default     = {}
}

variable "notify_default_targets_secret" {
  description = <<-EOT
    Optional: the id of a Secret Manager secret in this project whose latest version is the JSON of
    NOTIFY_DEFAULT_TARGETS (service-wide webhook/Slack targets; it holds URLs and signing secrets,
    hence a secret, created and versioned outside Terraform). Empty: no default targets.
  EOT
  type        = string
  default     = ""
}
