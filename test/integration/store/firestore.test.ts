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

/** A small scan budget, so the contract's multi-label lists really end pages early and continue. */
const CONTRACT_SCAN_BUDGET = 5;

async function freshStore(now?: () => string, listScanBudget = CONTRACT_SCAN_BUDGET): Promise<{ store: FirestoreEnvironmentStore; firestore: Firestore }> {
  await resetEmulator();
  const firestore = emulatorClient();
  return { store: new FirestoreEnvironmentStore({ firestore, collectionPrefix, now, listScanBudget }), firestore };
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

describe.skipIf(skipReason !== undefined)('FirestoreEnvironmentStore list cost', () => {
  it('reads at most its scan budget per request for a filter most environments miss, then continues from there', async () => {
    const { store } = await freshStore(undefined, 10);
    try {
      const target = await store.create(newEnvironmentRecord({ name: 'target', labels: { team: 'red', tier: 'x' } }));
      for (let i = 0; i < 25; i++) await store.create(newEnvironmentRecord({ name: `noise-${i}`, labels: { team: 'red', tier: 'y' } }));
      const first = await store.list({ pageSize: 1, labels: { team: 'red', tier: 'x' } });
      // 10 read, none matched: an empty page with a token, rather than reading all 26.
      expect(first.items).toEqual([]);
      expect(first.nextPageToken).toBeDefined();
      const pages = [first];
      while (pages.at(-1)!.nextPageToken) {
        pages.push(await store.list({ pageSize: 1, labels: { team: 'red', tier: 'x' }, pageToken: pages.at(-1)!.nextPageToken }));
      }
      expect(pages.flatMap((p) => p.items.map((r) => r.id))).toEqual([target.id]);
      expect(pages.length).toBe(3);
    } finally {
      await store.close();
    }
  });
});

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
