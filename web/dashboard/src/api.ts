/**
 * The admin API from the page: same origin in both homes (locally the platform serves the
 * page and the API on :3100; in AWS CloudFront serves both), a Bearer token on every call.
 * - Locally the token is the platform's admin token, handed over in the URL fragment that
 *   npm start prints (`/dashboard/#token=…`: a fragment never reaches a server or a log) and
 *   kept in sessionStorage for the tab.
 * - In AWS it is the Cognito ID token from the hosted sign-in (authorization code + PKCE;
 *   `config.json` names the sign-in domain and client id).
 */
const KEY = 'sightline.token';

interface AuthConfig {
  local?: boolean;
  signInUrl?: string;
  clientId?: string;
}

const b64url = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function cognitoSignIn(config: Required<Pick<AuthConfig, 'signInUrl' | 'clientId'>>): Promise<string | undefined> {
  const redirect = `${location.origin}/dashboard/`;
  const code = new URLSearchParams(location.search).get('code');
  if (code) {
    const verifier = sessionStorage.getItem('sightline.pkce') ?? '';
    const res = await fetch(`${config.signInUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: config.clientId, code, redirect_uri: redirect, code_verifier: verifier }),
    });
    if (!res.ok) throw new Error(`sign-in failed (${res.status})`);
    const token = ((await res.json()) as { id_token: string }).id_token;
    history.replaceState(null, '', `/dashboard/${location.hash}`);
    return token;
  }
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)).buffer);
  sessionStorage.setItem('sightline.pkce', verifier);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  location.assign(`${config.signInUrl}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: config.clientId, redirect_uri: redirect, scope: 'openid email', code_challenge_method: 'S256', code_challenge: challenge })}`);
  return undefined;
}

/** The token for this tab, signing in first when there is none. */
export async function ensureToken(): Promise<string | undefined> {
  const fromFragment = /(?:^#|&)token=([^&]+)/.exec(location.hash)?.[1];
  if (fromFragment) {
    sessionStorage.setItem(KEY, decodeURIComponent(fromFragment));
    history.replaceState(null, '', `${location.pathname}#/overview`);
  }
  const kept = sessionStorage.getItem(KEY);
  if (kept) return kept;
  const config = (await fetch('./config.json').then((r) => r.json())) as AuthConfig;
  if (config.local || !config.signInUrl || !config.clientId) return undefined;
  const token = await cognitoSignIn({ signInUrl: config.signInUrl, clientId: config.clientId });
  if (token) sessionStorage.setItem(KEY, token);
  return token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T = any>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const token = sessionStorage.getItem(KEY) ?? '';
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const detail = body?.issues ? body.issues.map((i: { field: string; rule: string }) => `${i.field}: ${i.rule}`).join('; ') : (body?.message ?? res.statusText);
    throw new ApiError(res.status, `${res.status}: ${detail}`);
  }
  return body as T;
}
