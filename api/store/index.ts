// The store module's public surface: the port, its errors, and both adapters. Importing this
// loads @google-cloud/firestore as well; code that must start fast without Firestore (the
// embedded world) can import './sqlite.js' directly.
export * from './port.js';
export { SqliteEnvironmentStore, type SqliteEnvironmentStoreOptions } from './sqlite.js';
export { FirestoreEnvironmentStore, type FirestoreEnvironmentStoreOptions } from './firestore.js';
