terraform {
  required_version = ">= 1.5"

  required_providers {
    google = {
      source = "hashicorp/google"
      # 6.11 is the first 6.x release with `deletion_protection` on google_workflows_workflow.
      version = "~> 6.11"
    }
    random = {
      source = "hashicorp/random"
      # random_bytes (the notification encryption key) appeared in 3.5.
      version = "~> 3.5"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
