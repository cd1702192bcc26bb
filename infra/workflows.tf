# The plan executor. file() (not templatefile()) so the workflow's own ${...} expressions need no
# escaping; the YAML is the same file the local engine runs in tests.
resource "google_workflows_workflow" "environment" {
  project         = var.project_id
  name            = var.workflow_name
  region          = var.region
  description     = "Runs a Saxml environment plan fetched from the API (see workflows/environment.workflows.yaml)."
  service_account = google_service_account.workflow.id
  # LOG_ALL_CALLS would log call results, including generateAccessToken responses (tokens).
  call_log_level      = "LOG_ERRORS_ONLY"
  deletion_protection = var.deletion_protection
  labels              = local.labels
  source_contents     = file("${path.module}/../workflows/environment.workflows.yaml")
  # Where the workflow calls back (and sends its OIDC tokens): part of the deployment, so an
  # execution started by anyone else cannot point it elsewhere (the argument holds only ids).
  user_env_vars = {
    API_BASE = local.service_url
  }

  depends_on = [google_project_service.enabled, google_project_iam_member.workflow]
}
