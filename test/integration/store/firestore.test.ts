import { Firestore } from '@google-cloud/firestore';
import { describe, expect, inject, it } from 'vitest';
import { FirestoreEnvironmentStore } from '../../../api/store/firestore.js';
import { newEnvironmentRecord } from '../../support/fixtures.js';
import { storeContract } from './contract.js';

/**
 * The contract against Google's Firestore emulator, started by test/support/firestore-emulator.ts
 * when its jar is installed. This file has its own projectId: the emulator resets per project, so
 * other test files may share it.
 */

const emulator = inject('firestoreEmulator');
const host = 'host' in emulator ? emulator.host : undefined;
const skipReason = 'skipReason' in emulator ? emulator.skipReason : undefined;
const projectId = `store-contract-${process.pid}`;
const collectionPrefix = 'contract_';

/**
 * A client that only ever talks to the emulator: plain-text gRPC to `host`, the emulator's owner
 * token, and an explicit universe domain — without it the client asks the GCE metadata server.
 */
const emulatorClient = (): Firestore =>
  new Firestore({
    projectId,
    host,
    ssl: false,
    customHeaders: { Authorization: 'Bearer owner' },
    universeDomain: 'googleapis.com',
  });

async function resetEmulator(): Promise<void> {
  const response = await fetch(`http://${host}/emulator/v1/projects/${projectId}/databases/(default)/documents`, { method: 'DELETE' });
  if (!response.ok) throw new Error(`resetting the Firestore emulator failed: HTTP ${response.status}`);
}

async function freshStore(now?: () => string): Promise<{ store: FirestoreEnvironmentStore; firestore: Firestore }> {
  await resetEmulator();
  const firestore = emulatorClient();
  return { store: new FirestoreEnvironmentStore({ firestore, collectionPrefix, now }), firestore };
}

storeContract(
  'firestore',
  async (now) => {
    const { store, firestore } = await freshStore(now);
    return {
      store,
      cleanup: () => store.close(),
      async corruptEnvironment(id) {
        await firestore.collection(`${collectionPrefix}environments`).doc(id).set({ id, name: 42 });
      },
    };
  },
  { skipReason },
);

describe.skipIf(skipReason !== undefined)('FirestoreEnvironmentStore document layout', () => {
  it('keeps the name lock beside the environment and releases it on DELETED', async () => {
    const { store, firestore } = await freshStore();
    try {
      const record = await store.create(newEnvironmentRecord(), [{ time: new Date().toISOString(), type: 'operation.started', message: 'accepted' }]);
      const lock = firestore.doc(`${collectionPrefix}environmentNames/${record.project}__${record.name}`);
      expect((await lock.get()).data()).toEqual({ environmentId: record.id, project: record.project, name: record.name });
      const env = (await firestore.doc(`${collectionPrefix}environments/${record.id}`).get()).data();
      expect(env).toMatchObject({ id: record.id, eventSeq: 1 });
      expect((await firestore.doc(`${collectionPrefix}environments/${record.id}/events/000000000001`).get()).data()).toMatchObject({ seq: 1 });

      await store.update(record.id, (current) => ({ record: { ...current, state: 'DELETED' } }));
      expect((await lock.get()).exists).toBe(false);
    } finally {
      await store.close();
    }
  });
});
