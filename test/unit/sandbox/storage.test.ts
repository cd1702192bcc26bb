import { describe, expect, it } from 'vitest';
import { harness, PROJECT } from './helpers.js';

const B = '/storage/storage/v1/b';

describe('storage buckets', () => {
  it('creates, gets, conflicts (globally) and deletes a bucket', async () => {
    const h = harness();
    const created = await h.call('POST', `${B}?project=${PROJECT}`, { name: 'auto-bucket', location: 'us', versioning: { enabled: true } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      kind: 'storage#bucket',
      name: 'auto-bucket',
      location: 'US',
      locationType: 'multi-region',
      storageClass: 'STANDARD',
      versioning: { enabled: true },
      selfLink: `http://localhost/storage/storage/v1/b/auto-bucket`,
    });
    expect((await h.call('GET', `${B}/auto-bucket`)).body.name).toBe('auto-bucket');

    const mine = await h.call('POST', `${B}?project=${PROJECT}`, { name: 'auto-bucket' });
    expect(mine.status).toBe(409);
    expect(mine.body.error.message).toMatch(/you already own it/);
    const theirs = await h.call('POST', `${B}?project=other-project`, { name: 'auto-bucket' });
    expect(theirs.status).toBe(409);
    expect(theirs.body.error.errors[0].reason).toBe('conflict');
    expect(theirs.body.error.message).toMatch(/bucket namespace is shared by all users/);

    const del = await h.call('DELETE', `${B}/auto-bucket`);
    expect(del.status).toBe(204);
    const gone = await h.call('GET', `${B}/auto-bucket`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.errors[0]).toMatchObject({ reason: 'notFound', message: 'The specified bucket does not exist.' });
  });

  it('refuses to delete a non-empty bucket (409) until the objects are gone', async () => {
    const h = harness();
    await h.call('POST', `${B}?project=${PROJECT}`, { name: 'full-bucket' });
    const set = await h.sandbox.app.request('/_test/buckets/full-bucket/objects', { method: 'PUT', body: JSON.stringify({ count: 3 }) });
    expect(set.status).toBe(200);
    const del = await h.call('DELETE', `${B}/full-bucket`);
    expect(del.status).toBe(409);
    expect(del.body.error.message).toBe('The bucket you tried to delete is not empty.');
    h.sandbox.test.setBucketObjectCount('full-bucket', 0);
    expect((await h.call('DELETE', `${B}/full-bucket`)).status).toBe(204);
  });

  it('validates names, the project parameter and unknown fields', async () => {
    const h = harness();
    expect((await h.call('POST', B, { name: 'no-project' })).status).toBe(400);
    expect((await h.call('POST', `${B}?project=${PROJECT}`, { name: 'Bad_Name!' })).status).toBe(400);
    const unknown = await h.call('POST', `${B}?project=${PROJECT}`, { name: 'ok-bucket', versioning: { enable: true } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(`Invalid JSON payload received. Unknown name "enable" at 'bucket.versioning': Cannot find field.`);
  });

  it('keeps bucket IAM with etags: a stale etag is 412 conditionNotMet (Cloud Storage semantics)', async () => {
    const h = harness();
    await h.call('POST', `${B}?project=${PROJECT}`, { name: 'iam-bucket' });
    const p0 = (await h.call('GET', `${B}/iam-bucket/iam`)).body;
    expect(p0).toMatchObject({ kind: 'storage#policy', resourceId: 'projects/_/buckets/iam-bucket', version: 1 });
    expect(p0.bindings).toContainEqual({ role: 'roles/storage.legacyBucketReader', members: [`projectViewer:${PROJECT}`] });
    const bindings = [...p0.bindings, { role: 'roles/storage.admin', members: ['user:dev@example.com'] }];
    const p1 = await h.call('PUT', `${B}/iam-bucket/iam`, { ...p0, bindings });
    expect(p1.status).toBe(200);
    expect(p1.body.bindings).toContainEqual({ role: 'roles/storage.admin', members: ['user:dev@example.com'] });
    const stale = await h.call('PUT', `${B}/iam-bucket/iam`, { ...p0, bindings: [] });
    expect(stale.status).toBe(412);
    expect(stale.body.error.errors[0].reason).toBe('conditionNotMet');
    const ghost = await h.call('PUT', `${B}/iam-bucket/iam`, { bindings: [{ role: 'roles/storage.admin', members: [`serviceAccount:ghost@${PROJECT}.iam.gserviceaccount.com`] }] });
    expect(ghost.status).toBe(400);
  });
});
