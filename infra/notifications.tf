# Notifications (README "Notifications"): the key that seals webhook secrets and Slack URLs at
# rest, and the Cloud Scheduler job that drains the outbox.

# The encryption key lives in Secret Manager and reaches the service as NOTIFY_ENCRYPTION_KEY
# (run.tf). Terraform generates it once; it is therefore also in the Terraform state, which must
# be protected like the secret. Replacing the key makes every target sealed with the old one
# unreadable (their deliveries fail with "sealed with another key"): never taint it.
resource "random_bytes" "notify_encryption_key" {
  length = 32
}

resource "google_secret_manager_secret" "notify_encryption_key" {
  project   = var.project_id
  secret_id = "${var.service_name}-notify-key"
  labels    = local.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

resource "google_secret_manager_secret_version" "notify_encryption_key" {
  secret      = google_secret_manager_secret.notify_encryption_key.id
  secret_data = random_bytes.notify_encryption_key.base64
}

# Only the runtime reads it.
resource "google_secret_manager_secret_iam_member" "runtime_reads_notify_key" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.notify_encryption_key.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime.email}"
}

resource "google_secret_manager_secret_iam_member" "runtime_reads_default_targets" {
  count = var.notify_default_targets_secret == "" ? 0 : 1

  project   = var.project_id
  secret_id = var.notify_default_targets_secret
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime.email}"
}

# Every minute, POST /internal/deliveries:run sends what is due (retries included). It calls with
# an OIDC token of the workflow's service account: the internal routes accept that identity only,
# and it already holds run.invoker on the service (run.tf). A run answers within Cloud Run's
# request timeout; whatever is left is sent by the next one, so the job itself never retries.
resource "google_cloud_scheduler_job" "deliveries" {
  project          = var.project_id
  region           = var.region
  name             = "${var.service_name}-deliveries"
  description      = "Sends due webhook and Slack notifications of the Saxml environments API"
  schedule         = "* * * * *"
  time_zone        = "Etc/UTC"
  attempt_deadline = "60s"

  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = "${local.service_url}/internal/deliveries:run"

    oidc_token {
      service_account_email = google_service_account.workflow.email
      audience              = local.service_url
    }
  }

  depends_on = [google_project_service.enabled, google_cloud_run_v2_service_iam_member.invokers]
}
