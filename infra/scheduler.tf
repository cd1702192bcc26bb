# The reconcile loop in the cloud: Cloud Run instances scale to zero and then run no timer, so Cloud
# Scheduler calls POST /internal/reconcile (settle operations, record expiry notices, start the
# deletes of expired environments) as the workflow identity, the only caller the internal routes accept.
resource "google_cloud_scheduler_job" "reconcile" {
  project     = var.project_id
  region      = var.region
  name        = "${var.service_name}-reconcile"
  description = "Settles operations and expires environments (see README: Expiry)."
  schedule    = var.reconcile_schedule
  time_zone   = "Etc/UTC"

  retry_config {
    retry_count = 1
  }

  http_target {
    http_method = "POST"
    uri         = "${local.service_url}/internal/reconcile"

    oidc_token {
      service_account_email = google_service_account.workflow.email
      audience              = local.service_url
    }
  }

  depends_on = [google_project_service.enabled]
}
