/**
 * POST /v1/unsubscribe?token=… (RFC 8058 one-click, public: the signed token is the
 * authentication) applies at once; GET shows a confirmation page with the same one-click
 * form, for people who open the link in a browser (functions/domain/campaigns/unsubscribe-person.ts).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadEnv } from '../shared/env.ts';
import { httpHandler } from '../shared/http.ts';
import { withPowertools } from '../shared/middleware.ts';
import { metrics } from '../shared/powertools.ts';
import { createServices } from '../shared/services.ts';
import { readToken, unsubscribePerson, type UnsubscribeDeps } from '../domain/campaigns/unsubscribe-person.ts';
import { escapeHtml } from '../domain/campaigns/render.ts';

const page = (title: string, body: string): APIGatewayProxyResultV2 => ({
  statusCode: 200,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'" },
  body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:system-ui;max-width:36rem;margin:4rem auto;line-height:1.5"><h1>${title}</h1>${body}</body></html>`,
});

type Event = Pick<APIGatewayProxyEventV2, 'queryStringParameters' | 'requestContext'>;

export function makeUnsubscribe(deps: Omit<UnsubscribeDeps, 'secret'> & { secret: () => Promise<string> }) {
  return httpHandler(async (event: Event) => {
    const token = event.queryStringParameters?.token;
    const secret = await deps.secret();
    if (event.requestContext?.http?.method === 'GET') {
      readToken(token, secret); // a bad link gets its 400 here, before any form is shown
      return page('Unsubscribe', `<p>Stop receiving these messages?</p><form method="post" action="?token=${encodeURIComponent(token!)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`);
    }
    const r = await unsubscribePerson(token, { ...deps, secret });
    metrics.addMetric('Unsubscribes', MetricUnit.Count, 1);
    return page('You are unsubscribed', `<p>You will receive no more marketing ${escapeHtml(r.channel)} from us. It took effect at once.</p>`);
  });
}

const env = loadEnv('unsubscribe');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
let key: Promise<string> | undefined;
export const unsubscribe = makeUnsubscribe({
  secret: () => (key ??= services.signingKey(env)),
  profiles: services.profileStore(env.PROFILES_TABLE_NAME),
  suppressions: services.suppressions(env.CAMPAIGNS_TABLE_NAME),
  records: services.sendRecords(env.CAMPAIGNS_TABLE_NAME),
  now: () => new Date(),
});
export const handler = withPowertools(unsubscribe);
