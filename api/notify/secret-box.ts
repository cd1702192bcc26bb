import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Notification URLs and signing secrets at rest: AES-256-GCM under the service's key
 * (NOTIFY_ENCRYPTION_KEY; in the cloud a Secret Manager secret, locally a file in DATA_DIR).
 * Node's crypto is the library here: GCM with a random 96-bit IV per value is all that is needed.
 *
 * Format: `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url). The key id (a hash of the key) says
 * which key sealed a value, so a changed key fails clearly instead of as a bad tag.
 */

export const KEY_BYTES = 32;

export class SealedValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedValueError';
  }
}

const keyId = (key: Buffer) => createHash('sha256').update(key).digest('base64url').slice(0, 8);

export class SecretBox {
  private readonly id: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`the notification encryption key must be ${KEY_BYTES} bytes, not ${key.length}`);
    this.id = keyId(key);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.id, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, id, iv, ciphertext, tag] = sealed.split('.');
    if (version !== 'v1' || !id || !iv || ciphertext === undefined || !tag) throw new SealedValueError('not a sealed value');
    if (id !== this.id) throw new SealedValueError('sealed with another key (NOTIFY_ENCRYPTION_KEY changed)');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedValueError('the sealed value was altered');
    }
  }
}

/** NOTIFY_ENCRYPTION_KEY: the base64 (or base64url) of 32 random bytes. */
export function parseKey(text: string): Buffer | undefined {
  const key = Buffer.from(text.trim(), 'base64');
  return key.length === KEY_BYTES ? key : undefined;
}

export const newKey = (): Buffer => randomBytes(KEY_BYTES);
