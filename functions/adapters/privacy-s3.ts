/**
 * The two buckets that hold people's events, as PersonStores:
 *
 * - `failed-events`: one JSON object per refused event (s3-failed-event-sink.ts). An object
 *   is the person's when its text mentions one of their ids or addresses (the payload is the
 *   event as received, minimised by the PII policy). Nothing indexes them by person: `find`
 *   lists and reads every object (the bucket expires them after 30 days, which bounds it);
 *   erase deletes the matching objects.
 * - `archive`: the interactions archive, CSV objects of many people's rows
 *   (s3-interaction-log.ts). S3 objects are immutable: erase rewrites each object holding
 *   their rows without them (deletes it when none is left). `find` lists and reads every
 *   object (no per-person index: the archive writer does not keep one; the cost is measured
 *   in bench/results/privacy.md); `erase` rewrites only the objects `find` named.
 *
 * Both buckets are versioned in AWS: a rewritten or deleted object leaves its older
 * versions, which still hold the rows. Erase deletes every non-current version of each key
 * it touched (ListObjectVersions + DeleteObject with VersionId); s3rver keeps no versions
 * (it answers NotImplemented), which is noted and skipped.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { INTERACTION_LOG_HEADER, INTERACTION_LOG_PREFIX, interactionLogDays, readInteractionLog, type InteractionRow } from '../domain/recommend/interaction-log.ts';
import { subjectStrings } from '../domain/privacy/resolve-subject.ts';
import type { ArchivedRow } from '../domain/privacy/export-person.ts';
import type { EraseOutcome, Found, PersonStore, Subject } from '../domain/privacy/ports.ts';

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString('utf8');
}

/** Deletes every version of `key` except `keep` (the current one). False when the store keeps no versions. */
async function dropOldVersions(s3: S3Client, bucket: string, key: string, keep?: string): Promise<boolean> {
  try {
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
      for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
        if (v.Key !== key || !v.VersionId || v.VersionId === 'null' || v.VersionId === keep) continue;
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: v.VersionId }));
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
    return true;
  } catch (err) {
    const name = (err as { name?: string; Code?: string }).name ?? '';
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    // s3rver answers 405 MethodNotAllowed (ResourceType VERSIONS); other stores 501 NotImplemented.
    if (name === 'NotImplemented' || name === 'MethodNotAllowed' || status === 501 || status === 405) return false;
    throw err;
  }
}

const VERSIONS_NOTE = 'the store keeps no object versions (s3rver): nothing older to delete';

export class FailedEventsPrivacyStore implements PersonStore {
  readonly store = 'failed-events' as const;
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async find(s: Subject): Promise<Found> {
    const needles = subjectStrings(s);
    const items: { object: string; record: unknown }[] = [];
    for (const key of await listKeys(this.s3, this.bucket, 'failed/')) {
      const text = await readText(this.s3, this.bucket, key);
      if (!needles.some((n) => text.includes(n))) continue;
      let record: unknown = text;
      try {
        record = JSON.parse(text);
      } catch {
        // kept as text: the export shows what is stored
      }
      items.push({ object: key, record });
    }
    return { count: items.length, items };
  }

  async erase(s: Subject, found: Found): Promise<EraseOutcome> {
    let versioned = true;
    for (const { object } of found.items as { object: string }[]) {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: object }));
      versioned = (await dropOldVersions(this.s3, this.bucket, object)) && versioned;
    }
    return { remaining: (await this.find(s)).count, ...(found.count && !versioned ? { notes: [VERSIONS_NOTE] } : {}) };
  }
}

/** One archive line as a row, by the archive's own reader (RFC 4180 quotes). */
const parseLine = (line: string): InteractionRow => readInteractionLog([`${INTERACTION_LOG_HEADER}\n${line}\n`])[0];

/** The rows of one archive object, split into the subject's and everyone else's lines (kept byte for byte). */
export function splitArchiveObject(text: string, users: ReadonlySet<string>): { header: string; mine: string[]; others: string[] } {
  const lines = text.split('\n');
  const mine: string[] = [];
  const others: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    // USER_ID is the first field; quoted only when it holds a comma or a quote.
    const userId = line.startsWith('"') ? parseLine(line).userId : line.slice(0, line.indexOf(','));
    (users.has(userId) ? mine : others).push(line);
  }
  return { header: lines[0], mine, others };
}

/**
 * Whether an archive object can hold the subject's rows: its key names the days its rows fall
 * in (interaction-log.ts interactionLogKey), the subject its active days; either unknown → read it.
 * This is what bounds the rewrite: the objects read are those of the person's active days,
 * not the whole archive (bench/results/privacy.md).
 */
export function mayHoldRowsOf(key: string, s: Pick<Subject, 'activeDays'>): boolean {
  const days = interactionLogDays(key);
  if (!days || !s.activeDays) return true;
  return days.from <= s.activeDays.to && days.to >= s.activeDays.from;
}

export class ArchivePrivacyStore implements PersonStore {
  readonly store = 'archive' as const;
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async find(s: Subject): Promise<Found> {
    const users = new Set([...s.userIds, ...s.anonymousIds]);
    const items: ArchivedRow[] = [];
    for (const key of await listKeys(this.s3, this.bucket, INTERACTION_LOG_PREFIX)) {
      if (!key.endsWith('.csv') || !mayHoldRowsOf(key, s)) continue;
      const { header, mine } = splitArchiveObject(await readText(this.s3, this.bucket, key), users);
      if (header.trim() !== INTERACTION_LOG_HEADER) continue;
      for (const line of mine) items.push({ object: key, row: parseLine(line) });
    }
    return { count: items.length, items };
  }

  async erase(s: Subject, found: Found): Promise<EraseOutcome> {
    const users = new Set([...s.userIds, ...s.anonymousIds]);
    const objects = [...new Set((found.items as ArchivedRow[]).map((r) => r.object))];
    let versioned = true;
    for (const key of objects) {
      const { header, others } = splitArchiveObject(await readText(this.s3, this.bucket, key), users);
      let current: string | undefined;
      if (others.length === 0) {
        await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      } else {
        const out = await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: `${header}\n${others.join('\n')}\n`, ContentType: 'text/csv' }));
        current = out.VersionId;
      }
      versioned = (await dropOldVersions(this.s3, this.bucket, key, current)) && versioned;
    }
    // What is left, from the objects it rewrote: re-reading the whole archive would double the cost.
    let remaining = 0;
    for (const key of objects) {
      const text = await readText(this.s3, this.bucket, key).catch((err: { name?: string }) => {
        if (err.name === 'NoSuchKey') return '';
        throw err;
      });
      if (text) remaining += splitArchiveObject(text, users).mine.length;
    }
    return { remaining, ...(objects.length && !versioned ? { notes: [VERSIONS_NOTE] } : {}) };
  }
}
