import { describe, expect, it } from 'vitest';
import { harness, PROJECT } from './helpers.js';

const AR = `/artifactregistry/v1/projects/${PROJECT}/locations/us`;

describe('artifactregistry', () => {
  it('creates and deletes a repository through google.longrunning operations', async () => {
    const h = harness();
    await h.enable(PROJECT, 'artifactregistry.googleapis.com');
    const op = await h.call('POST', `${AR}/repositories?repositoryId=serving-images`, { format: 'DOCKER', description: 'images' });
    expect(op.status).toBe(200);
    expect(op.body.name).toMatch(new RegExp(`^projects/${PROJECT}/locations/us/operations/`));
    expect(op.body.done).toBeUndefined();
    expect((await h.call('GET', `${AR}/repositories/serving-images`)).status).toBe(404);
    h.advance(1);
    const done = (await h.call('GET', `/artifactregistry/v1/${op.body.name}`)).body;
    expect(done.done).toBe(true);
    expect(done.response).toMatchObject({ '@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.Repository', format: 'DOCKER' });
    const repo = (await h.call('GET', `${AR}/repositories/serving-images`)).body;
    expect(repo).toMatchObject({ name: `projects/${PROJECT}/locations/us/repositories/serving-images`, registryUri: `us-docker.pkg.dev/${PROJECT}/serving-images` });
    const dup = await h.call('POST', `${AR}/repositories?repositoryId=serving-images`, { format: 'DOCKER' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.status).toBe('ALREADY_EXISTS');

    const del = await h.call('DELETE', `${AR}/repositories/serving-images`);
    expect(del.body.name).toMatch(/operations\//);
    h.advance(1);
    expect((await h.call('GET', `/artifactregistry/v1/${del.body.name}`)).body).toMatchObject({ done: true, response: { '@type': 'type.googleapis.com/google.protobuf.Empty' } });
    expect((await h.call('GET', `${AR}/repositories/serving-images`)).status).toBe(404);
  });

  it('validates the repository id, format and fields', async () => {
    const h = harness();
    await h.enable(PROJECT, 'artifactregistry.googleapis.com');
    expect((await h.call('POST', `${AR}/repositories`, { format: 'DOCKER' })).status).toBe(400);
    expect((await h.call('POST', `${AR}/repositories?repositoryId=r1`, {})).status).toBe(400);
    const unknown = await h.call('POST', `${AR}/repositories?repositoryId=r1`, { format: 'DOCKER', formats: 'x' });
    expect(unknown.body.error.message).toBe(`Invalid JSON payload received. Unknown name "formats" at 'repository': Cannot find field.`);
  });
});
