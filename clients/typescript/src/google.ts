import type { GoogleAuth } from 'google-auth-library';
import type { TokenProvider } from './client.js';

/**
 * Google ID tokens for the service in the cloud (Cloud Run, or the service's in-app check): the
 * audience is the service's URL (its API_AUDIENCE). google-auth-library finds the credentials —
 * a service account key (GOOGLE_APPLICATION_CREDENTIALS), the metadata server on Google's
 * runtimes — and caches each token until shortly before it expires. (A person's own gcloud login
 * cannot mint ID tokens for another audience through it: pass `gcloud auth print-identity-token`
 * as a token instead.) The library is loaded on first use, so clients that never call it do not
 * pay for it; `auth` replaces it in tests.
 */
export function googleIdTokenProvider(audience: string, options: { auth?: Pick<GoogleAuth, 'getIdTokenClient'> } = {}): TokenProvider {
  let client: Promise<{ getRequestHeaders(): Promise<Headers> }> | undefined;
  return async () => {
    client ??= (async () => {
      const auth = options.auth ?? new (await import('google-auth-library')).GoogleAuth();
      return auth.getIdTokenClient(audience);
    })().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    const headers = await (await client).getRequestHeaders();
    return headers.get('authorization')?.replace(/^Bearer\s+/i, '') ?? undefined;
  };
}
