locals {
  # Environment of the service in PROFILE=cloud; names follow api/config.ts (see README).
  service_env = {
    PROFILE                  = "cloud"
    GOOGLE_CLOUD_PROJECT     = var.project_id
    FIRESTORE_DATABASE       = google_firestore_database.main.name
    WORKFLOW_LOCATION        = var.region
    WORKFLOW_NAME            = google_workflows_workflow.environment.name
    WORKFLOW_SERVICE_ACCOUNT = google_service_account.workflow.email
    RUNTIME_SERVICE_ACCOUNT  = google_service_account.runtime.email
    API_AUDIENCE             = join(",", concat([local.service_url], var.extra_audiences))
    PUBLIC_URL               = local.service_url
    ALLOWED_PRINCIPALS       = join(",", var.allowed_principals)
    # Cloud Run IAM checks every token first and strips its signature before the container sees it;
    # the app reads the header Cloud Run checked (X-Serverless-Authorization, else Authorization).
    ID_TOKEN_VERIFICATION = "cloud-run"
  }

  # Cloud Run invoker members: the allow-list without any "project-id/" scope prefix, plus the
  # workflow, which calls the internal routes with its own OIDC token.
  invoker_members = toset(concat(
    [for p in var.allowed_principals : reverse(split("/", p))[0]],
    ["serviceAccount:${google_service_account.workflow.email}"],
  ))
}

resource "google_cloud_run_v2_service" "api" {
  project             = var.project_id
  name                = var.service_name
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = var.deletion_protection
  labels              = local.labels

  template {
    service_account                  = google_service_account.runtime.email
    timeout                          = "60s"
    max_instance_request_concurrency = 80

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    containers {
      image = var.image

      ports {
        container_port = 8080 # Cloud Run sets PORT to this; the server listens on PORT
      }

      dynamic "env" {
        for_each = local.service_env
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = var.notify_default_targets_secret == "" ? [] : [var.notify_default_targets_secret]
        content {
          name = "NOTIFY_DEFAULT_TARGETS"
          value_source {
            secret_key_ref {
              secret  = env.value
              version = "latest"
            }
          }
        }
      }

      # Seals webhook secrets and Slack URLs at rest (notifications.tf).
      env {
        name = "NOTIFY_ENCRYPTION_KEY"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.notify_encryption_key.secret_id
            version = "latest"
          }
        }
      }

      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
        cpu_idle          = !var.cpu_always_allocated
        startup_cpu_boost = true
      }

      # Probes come from Cloud Run itself and bypass invoker IAM; /healthz needs no token.
      startup_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 2
        timeout_seconds   = 1
        failure_threshold = 15
      }

      liveness_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 30
        timeout_seconds   = 5
        failure_threshold = 3
      }
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.runtime,
    google_firestore_index.main,
    google_secret_manager_secret_iam_member.runtime_reads_notify_key,
    google_secret_manager_secret_version.notify_encryption_key,
  ]
}

# Cloud Run IAM stays on (no allUsers): only these members get a request through.
resource "google_cloud_run_v2_service_iam_member" "invokers" {
  for_each = local.invoker_members

  project  = var.project_id
  location = google_cloud_run_v2_service.api.location
  name     = google_cloud_run_v2_service.api.name
  role     = "roles/run.invoker"
  member   = each.value
}
