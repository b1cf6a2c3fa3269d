import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Seals small secrets (an upstream's credential headers) for storage: AES-256-GCM under a key
 * derived from the hub's `FIN_HUB_SECRET_KEY`, a fresh IV each time, the tag checked on open (a
 * changed or foreign value is refused, never half-read). Every hub on one database needs the same
 * key. Format: `v1.<iv>.<tag>.<ciphertext>`, base64url.
 */
export function createSecretBox(secret: string) {
  const key = createHash('sha256').update(`fin-hub secret box\0${secret}`).digest();
  return {
    seal(value: unknown): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    /** Throws when the value was not sealed with this key (or was changed). */
    open(sealed: string): unknown {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
      return JSON.parse(plain.toString('utf8'));
    },
  };
}

export type SecretBox = ReturnType<typeof createSecretBox>;
