/**
 * Access tokens cached per account until shortly before they expire — when less than a sixth of
 * their lifetime is left, as the workflow does (the ratio also holds in a time-scaled sandbox) — so
 * a status poll does not mint a token every time, and a request never carries a token about to lapse.
 */
export function cachedTokens(mint: (serviceAccount: string) => Promise<{ token: string; expiresAt: number }>, now: () => number) {
  const cache = new Map<string, Promise<{ token: string; refreshAt: number }>>();
  return async (serviceAccount: string): Promise<string> => {
    const cached = await cache.get(serviceAccount)?.catch(() => undefined);
    if (cached && cached.refreshAt > now()) return cached.token;
    const mintedAt = now();
    const minted = mint(serviceAccount).then(({ token, expiresAt }) => ({ token, refreshAt: mintedAt + ((expiresAt - mintedAt) * 5) / 6 }));
    cache.set(serviceAccount, minted);
    minted.catch(() => cache.delete(serviceAccount));
    return (await minted).token;
  };
}
