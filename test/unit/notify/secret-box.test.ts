import { describe, expect, it } from 'vitest';
import { parseKey, SecretBox } from '../../../api/notify/secret-box.js';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(Buffer.alloc(32, 1));
  const secret = JSON.stringify({ url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXX', secret: 'whsec_abc' });

  it('seals to text that holds nothing of the value, differently every time, and opens it again', () => {
    const a = box.seal(secret);
    const b = box.seal(secret);
    expect(a).not.toBe(b);
    for (const sealed of [a, b]) {
      expect(sealed).not.toContain('hooks.slack.com');
      expect(sealed).not.toContain('XXXXXXXX');
      expect(box.open(sealed)).toBe(secret);
    }
  });

  it('refuses an altered value and a value sealed with another key, saying which', () => {
    const sealed = box.seal(secret);
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open([...parts.slice(0, 3), flipped.toString('base64url'), parts[4]].join('.'))).toThrow('altered');
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed)).toThrow('another key');
    expect(() => box.open('plain text')).toThrow('not a sealed value');
  });

  it('takes a key of exactly 32 bytes', () => {
    expect(parseKey(Buffer.alloc(32, 3).toString('base64'))).toEqual(Buffer.alloc(32, 3));
    expect(parseKey(Buffer.alloc(16).toString('base64'))).toBeUndefined();
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow('32 bytes');
  });
});
