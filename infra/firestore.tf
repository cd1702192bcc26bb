resource "google_firestore_database" "main" {
  project                     = var.project_id
  name                        = var.firestore_database
  location_id                 = var.firestore_location
  type                        = "FIRESTORE_NATIVE"
  concurrency_mode            = "PESSIMISTIC" # the store's read-modify-write transactions rely on locks
  app_engine_integration_mode = "DISABLED"
  delete_protection_state     = var.deletion_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  # With ABANDON, `terraform destroy` forgets the database but keeps the data.
  deletion_policy = "ABANDON"

  depends_on = [google_project_service.enabled]
}

# Indexes come from firestore.indexes.json, which the store (api/store/firestore.ts) owns, so the
# queries and the deployed indexes cannot drift apart. It includes the list queries of
# GET /environments: newest first (`id` desc: ids are ULIDs) with equality filters on `state`,
# `project` and both, plus the label variants (`labelPairs` array-contains).
locals {
  firestore_config = jsondecode(file("${path.module}/firestore.indexes.json"))

  firestore_indexes = {
    for index in local.firestore_config.indexes :
    join("|", concat([index.collectionGroup], [for f in index.fields : "${f.fieldPath}:${try(f.order, f.arrayConfig)}"])) => index
  }

  firestore_field_overrides = {
    for o in try(local.firestore_config.fieldOverrides, []) :
    "${o.collectionGroup}.${o.fieldPath}" => o
  }
}

resource "google_firestore_index" "main" {
  for_each = local.firestore_indexes

  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = each.value.collectionGroup
  query_scope = try(each.value.queryScope, "COLLECTION")

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value.fieldPath
      order        = try(fields.value.order, null)
      array_config = try(fields.value.arrayConfig, null)
    }
  }

  # Firestore ends every composite index with __name__, in the direction of the last field
  # (ASCENDING after an array-contains field). Declaring it keeps configuration and state equal,
  # so plans do not want to recreate the index.
  fields {
    field_path = "__name__"
    order      = try(each.value.fields[length(each.value.fields) - 1].order, "ASCENDING")
  }
}

# Field overrides: `indexes: []` exempts a field from automatic single-field indexing (large
# maps such as `spec`); `ttl: true` lets Firestore delete documents after that timestamp
# (expired idempotency records).
resource "google_firestore_field" "main" {
  for_each = local.firestore_field_overrides

  project    = var.project_id
  database   = google_firestore_database.main.name
  collection = each.value.collectionGroup
  field      = each.value.fieldPath

  # An empty block disables every single-field index on the field.
  index_config {
    dynamic "indexes" {
      for_each = try(each.value.indexes, [])
      content {
        query_scope  = try(indexes.value.queryScope, "COLLECTION")
        order        = try(indexes.value.order, null)
        array_config = try(indexes.value.arrayConfig, null)
      }
    }
  }

  dynamic "ttl_config" {
    for_each = try(each.value.ttl, false) ? [1] : []
    content {}
  }
}
