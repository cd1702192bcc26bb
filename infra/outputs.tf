output "service_url" {
  description = "The service URL Cloud Run reports."
  value       = google_cloud_run_v2_service.api.uri
}

output "service_audience_url" {
  description = "The deterministic URL used as API_AUDIENCE and PUBLIC_URL (the workflow calls back here)."
  value       = local.service_url
}

output "runtime_service_account_email" {
  description = "Identity of the Cloud Run service."
  value       = google_service_account.runtime.email
}

output "workflow_service_account_email" {
  description = "Identity of the workflow; target projects grant it the bootstrap roles."
  value       = google_service_account.workflow.email
}

output "workflow_id" {
  description = "Full workflow resource id (projects/P/locations/R/workflows/W)."
  value       = google_workflows_workflow.environment.id
}

output "firestore_database" {
  description = "Firestore database id."
  value       = google_firestore_database.main.name
}
