/**
 * What the privacy tests share: a person seeded into every store through the real pipeline
 * (events with an anonymous → known merge, a refused event, archived purchases and views),
 * the strings that identify them, and a snapshot of every table item and bucket object.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { Platform } from '../../local/platform.ts';
import { basicAuth } from '../helpers/platform.ts';

export interface Person {
  userId: string;
  anonymousId: string;
  email: string;
}

export const personNamed = (tag: string): Person => ({ userId: `user-${tag}-7f3a`, anonymousId: `anon-${tag}-91c2`, email: `${tag}.erase-me@example.test` });

export async function sendBatch(p: Platform, writeKey: string, batch: unknown[]): Promise<void> {
  const res = await fetch(`${p.apiUrl}/v1/batch`, { method: 'POST', headers: { authorization: basicAuth(writeKey), 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
  expect(res.status).toBe(200);
}

const granted = { email: true, 'email.marketing': true };

/** Before the merge: an anonymous visitor who views and buys; a known customer on another device. */
export function firstEvents(x: Person, n: number): unknown[] {
  return [
    { type: 'track', anonymousId: x.anonymousId, messageId: `${x.anonymousId}-v`, event: 'Product Viewed', properties: { product_id: `sku-${n}` }, timestamp: '2026-11-10T10:00:00Z' },
    { type: 'track', anonymousId: x.anonymousId, messageId: `${x.anonymousId}-o`, event: 'Order Completed', properties: { order_id: `oa-${n}`, revenue: 12, currency: 'GBP', products: [{ product_id: `sku-${n}`, price: 12, quantity: 1 }] }, timestamp: '2026-11-10T10:05:00Z' },
    { type: 'identify', userId: x.userId, messageId: `${x.userId}-i`, traits: { email: x.email, first_name: 'Erin' }, context: { consent: { categoryPreferences: granted } }, timestamp: '2026-11-11T10:00:00Z' },
    { type: 'track', userId: x.userId, messageId: `${x.userId}-o`, event: 'Order Completed', properties: { order_id: `ou-${n}`, revenue: 30, currency: 'GBP', products: [{ product_id: 'sku-shared', price: 15, quantity: 2 }] }, timestamp: '2026-11-12T10:00:00Z' },
    // Refused by Clean (negative revenue): kept in the failed-events store with its ids.
    { type: 'track', userId: x.userId, messageId: `${x.userId}-bad`, event: 'Order Completed', properties: { order_id: `bad-${n}`, revenue: -5, currency: 'GBP' }, timestamp: '2026-11-12T11:00:00Z' },
  ];
}

/** The merge: the visitor signs in. */
export const mergeEvents = (x: Person): unknown[] => [{ type: 'identify', userId: x.userId, anonymousId: x.anonymousId, messageId: `${x.userId}-merge`, traits: { email: x.email }, timestamp: '2026-11-13T10:00:00Z' }];

export interface Snapshot {
  /** `table|pk|sk` → the item as JSON. */
  items: Map<string, string>;
  /** `bucket/key` → the object's text. */
  objects: Map<string, string>;
}

export async function snapshot(p: Platform): Promise<Snapshot> {
  const items = new Map<string, string>();
  for (const t of p.model.tables) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await p.clients.doc.send(new ScanCommand({ TableName: t.name, ExclusiveStartKey: start, ConsistentRead: true }));
      for (const it of page.Items ?? []) {
        const key = t.keySchema.map((k) => String(it[k.AttributeName])).join('|');
        items.set(`${t.name}|${key}`, JSON.stringify(it, (_k, v) => (v instanceof Set ? [...v].sort() : v)));
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }
  const objects = new Map<string, string>();
  for (const b of p.model.buckets) {
    let token: string | undefined;
    do {
      const page = await p.clients.s3.send(new ListObjectsV2Command({ Bucket: b.name, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const out = await p.clients.s3.send(new GetObjectCommand({ Bucket: b.name, Key: o.Key! }));
        objects.set(`${b.name}/${o.Key}`, await out.Body!.transformToString('utf8'));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  return { items, objects };
}

/** Every string that identifies the person: their ids, profile ids, email, its plain sha256 and the salted hash the graph keeps. */
export function needlesOf(x: Person, profileIds: string[], emailHashes: string[]): string[] {
  const plain = createHash('sha256').update(x.email).digest('hex');
  // Once each: the profile's emailHash is the plain SHA-256 when no salt is set (locally), and a
  // needle listed twice would make the tombstone look like two mentions.
  return [...new Set([x.userId, x.anonymousId, x.email, plain, ...profileIds, ...emailHashes])];
}

export const mentions = (text: string, needles: string[]) => needles.filter((n) => text.includes(n));

/** Starts an erasure through the API and waits for its execution; answers the receipt (its output). */
export async function eraseThroughApi(p: Platform, id: string): Promise<{ status: string; output?: unknown; error?: string; executionArn: string }> {
  const res = await fetch(`${p.apiUrl}/v1/privacy/${encodeURIComponent(id)}/erase`, { method: 'POST' });
  const body = (await res.json()) as { executionArn?: string; receipt?: unknown };
  if (res.status === 200) return { status: 'SUCCEEDED', output: body.receipt, executionArn: '' };
  expect(res.status, JSON.stringify(body)).toBe(202);
  const e = await p.stepFunctions.describe(body.executionArn!).done;
  return { status: e.status, output: e.output ? JSON.parse(e.output) : undefined, error: e.error ? `${e.error}: ${e.cause}` : undefined, executionArn: e.executionArn };
}
