// Runs in every test worker before any test file: no Google client may look for ambient
// credentials or the metadata server (that would be traffic leaving the machine).
process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GOOGLE_CLOUD_PROJECT ??= 'test-project';
delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
