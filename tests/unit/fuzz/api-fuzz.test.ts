/**
 * Property-based fuzz of the collect API handler (fast-check): malformed payloads never get
 * a 5xx and always get a 4xx that names a field and a rule; generated valid events are
 * never rejected; hostile requests (any depth anywhere, any Content-Encoding, broken gzip)
 * never get a 5xx, and every event of them is either put on the stream or kept with a reason.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { makeCollect } from '../../../functions/handlers/collect-events.ts';
import { makeGetProfile } from '../../../functions/handlers/get-profile.ts';
import { MemoryProfileStore, MemoryScoreStore } from '../../helpers/memory-profile-store.ts';
import { EVENT_TYPES } from '../../../schemas/events.ts';
import { FAILURE_REASONS, type FailedEvent } from '../../../schemas/failed-event.ts';

const handler = makeCollect({ sink: { put: async () => undefined }, failed: { put: async () => undefined } });

async function call(route: string, body: string) {
  const res = (await handler({ rawPath: `/v1/${route}`, body, isBase64Encoded: false, requestContext: { requestId: 'r', authorizer: { lambda: { sourceId: 's' } } } } as never)) as { statusCode: number; body: string };
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

const id = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0), fc.integer({ min: 0 }));
const timestamp = fc.oneof(
  fc.date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.getTime()),
  fc.constantFrom('2024-05-01T12:00:00+02:00', '2024-05-01', '2024-05-01T12:00:00.123456Z'),
);
const props = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 });
const person = fc.oneof(fc.record({ userId: id }), fc.record({ anonymousId: id }), fc.record({ userId: id, anonymousId: id }));

const validEvent = fc.constantFrom(...EVENT_TYPES).chain((type) => {
  const common = fc.record({ messageId: fc.option(id, { nil: undefined }), timestamp: fc.option(timestamp, { nil: undefined }), context: fc.option(props, { nil: undefined }) });
  const specific =
    type === 'track' ? fc.record({ event: fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim().length > 0), properties: props })
      : type === 'identify' ? fc.record({ traits: props })
        : type === 'group' ? fc.record({ groupId: id, traits: props })
          : type === 'alias' ? fc.record({ previousId: id })
            : fc.record({ name: fc.string({ maxLength: 60 }), properties: props });
  const who = type === 'alias' ? fc.record({ userId: id }) : person;
  return fc.tuple(common, specific, who).map(([c, s, w]) => ({ type, ...Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)), ...s, ...w }));
});

/** A valid event broken in one of the ways real callers break them. */
const brokenEvent = fc.tuple(validEvent, fc.integer({ min: 0, max: 7 }), fc.jsonValue({ maxDepth: 1 })).map(([e, how, junk]) => {
  const b: Record<string, unknown> = { ...e };
  switch (how) {
    case 0: delete b.userId; delete b.anonymousId; if (b.type === 'alias') delete b.previousId; break;
    case 1: b.type = typeof junk === 'string' && !(EVENT_TYPES as readonly string[]).includes(junk) ? junk : 'purchase'; break;
    case 2: b.timestamp = 'not a date ' + String(junk); break;
    case 3: b.userId = { nested: junk }; break;
    case 4: b.context = [junk]; break;
    case 5: if (b.type === 'track') b.event = ''; else b.type = 42; break;
    case 6: b.userId = ''; delete b.anonymousId; if (b.type === 'alias') b.previousId = ''; break;
    case 7: b.properties = 'x'.repeat(33 * 1024); b.traits = b.properties; break;
  }
  return b;
});

const malformedRequest = fc.oneof(
  fc.string({ maxLength: 200 }).map((s) => ({ route: 'track', body: s })),
  fc.jsonValue({ maxDepth: 3 }).map((v) => ({ route: 'batch', body: JSON.stringify(v) })),
  fc.tuple(fc.constantFrom(...EVENT_TYPES, 'batch'), fc.jsonValue({ maxDepth: 3 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))).map(([route, v]) => ({ route, body: JSON.stringify(v) })),
  brokenEvent.map((e) => ({ route: 'batch', body: JSON.stringify({ batch: [e] }) })),
  brokenEvent.map((e) => ({ route: String(e.type === 42 ? 'track' : (EVENT_TYPES as readonly string[]).includes(String(e.type)) ? e.type : 'track'), body: JSON.stringify(e) })),
);

describe('collect API fuzz', () => {
  it('answers 10,000 malformed requests with a 4xx naming field and rule, never a 5xx', async () => {
    let fourXX = 0;
    await fc.assert(
      fc.asyncProperty(malformedRequest, async ({ route, body }) => {
        const res = await call(route, body);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          fourXX += 1;
          expect(res.body.issues.length).toBeGreaterThan(0);
          for (const i of res.body.issues) {
            expect(typeof i.field).toBe('string');
            expect(i.field.length).toBeGreaterThan(0);
            expect(typeof i.rule).toBe('string');
            expect(i.rule.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 10_000, seed: 20261122 },
    );
    // Random JSON can be a valid event by chance; nearly all must be refused.
    expect(fourXX).toBeGreaterThan(9_500);
  });

  it('never rejects a generated valid event, alone or in a batch', async () => {
    await fc.assert(
      fc.asyncProperty(validEvent, async (e) => {
        const single = await call(e.type, JSON.stringify(e));
        expect(single, JSON.stringify(single.body)).toMatchObject({ status: 200 });
        const batch = await call('batch', JSON.stringify({ batch: [e, e] }));
        expect(batch.body).toEqual({ success: true, accepted: 2 });
      }),
      { numRuns: 2_000, seed: 7 },
    );
  });
});

/** A value nested `depth` levels (1: a bare scalar in a container), as text: arrays, objects or both alternating. */
const nested = fc.record({ depth: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 100_000 })), kind: fc.constantFrom('arrays', 'objects', 'mixed') }).map(({ depth, kind }) => {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    const array = kind === 'arrays' || (kind === 'mixed' && i % 2 === 0);
    open += array ? '[' : '{"k":';
    close = (array ? ']' : '}') + close;
  }
  return { text: `${open}1${close}`, depth };
});

const where = fc.constantFrom('properties', 'traits', 'context', 'integrations', 'batch-context', 'batch-event', 'batch-element');

/** A request whose events may hold deep values: text, how many events it carries, its route. */
const deepRequest = fc.tuple(nested, where, fc.integer({ min: 0, max: 3 })).map(([{ text }, at, goodOnes]) => {
  const good = Array.from({ length: goodOnes }, (_, i) => `{"type":"track","userId":"u${i}","event":"ok"}`);
  switch (at) {
    case 'properties': return { route: 'track', body: `{"userId":"u","event":"x","properties":{"p":${text}}}`, events: 1 };
    case 'traits': return { route: 'identify', body: `{"userId":"u","traits":{"t":${text}}}`, events: 1 };
    case 'context': return { route: 'page', body: `{"userId":"u","context":{"c":${text}}}`, events: 1 };
    case 'integrations': return { route: 'track', body: `{"userId":"u","event":"x","integrations":{"i":${text}}}`, events: 1 };
    case 'batch-context': return { route: 'batch', body: `{"context":{"c":${text}},"batch":[${[...good, '{"type":"track","userId":"u","event":"x"}'].join(',')}]}`, events: goodOnes + 1 };
    case 'batch-event': return { route: 'batch', body: `{"batch":[${[...good, `{"type":"track","userId":"u","event":"x","properties":{"p":${text}}}`].join(',')}]}`, events: goodOnes + 1 };
    default: return { route: 'batch', body: `{"batch":[${[text, ...good].join(',')}]}`, events: goodOnes + 1 };
  }
});

/** Bodies under every Content-Encoding a client might declare, some of them lying. */
const encodedRequest = fc.tuple(
  fc.constantFrom('gzip', 'x-gzip', 'GZIP', 'identity', '', 'br', 'deflate', 'compress', 'zstd', 'gzip, br', 'identity, gzip'),
  fc.constantFrom('gzipped', 'plain', 'junk', 'bomb'),
).map(([encoding, content]) => {
  const json = '{"batch":[{"type":"track","userId":"u","event":"x"}]}';
  const bytes = content === 'gzipped' ? gzipSync(json) : content === 'plain' ? Buffer.from(json) : content === 'bomb' ? gzipSync(' '.repeat(2_000_000)) : Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5]);
  return { route: 'batch', body: bytes, encoding, events: 1 };
});

describe('collect API fuzz: hostile requests', () => {
  const setup = () => {
    const put: unknown[] = [];
    const failed: FailedEvent[] = [];
    // Both serialise what they get, as the Kinesis and S3 adapters do.
    const handler = makeCollect({
      sink: { put: async (r) => void put.push(...r.map((x) => JSON.parse(JSON.stringify(x)))) },
      failed: { put: async (r) => void failed.push(...r.map((x) => JSON.parse(JSON.stringify(x)))) },
    });
    return { put, failed, handler };
  };

  const assessInvariant = (res: { statusCode: number; body: string }, events: number, put: unknown[], failed: FailedEvent[]) => {
    expect(res.statusCode).toBeLessThan(500);
    const body = JSON.parse(res.body);
    for (const f of failed) {
      expect(FAILURE_REASONS).toContain(f.reason);
      // Kept bounded: a refused request is never stored whole when it could not be read.
      if (['too_deep', 'invalid_json', 'invalid_encoding', 'unsupported_encoding', 'too_large'].includes(f.reason)) expect(typeof f.payload === 'string' ? f.payload.length : JSON.stringify(f.payload).length).toBeLessThanOrEqual(4200);
    }
    if (res.statusCode === 200) {
      // Every event is accepted (put) or rejected (kept with its reason): none is lost.
      expect(put).toHaveLength(body.accepted);
      expect(body.accepted + (body.rejected?.length ?? 0)).toBe(events);
      expect(failed).toHaveLength(body.rejected?.length ?? 0);
    } else {
      expect(put).toEqual([]);
      expect(failed).toHaveLength(1);
      expect(body.issues.length).toBeGreaterThan(0);
    }
  };

  it('never answers a 5xx to any depth anywhere, and every event is put or kept with its reason', async () => {
    await fc.assert(
      fc.asyncProperty(deepRequest, async ({ route, body, events }) => {
        const { put, failed, handler } = setup();
        const res = (await handler({ rawPath: `/v1/${route}`, body, isBase64Encoded: false, requestContext: { requestId: 'r', authorizer: { lambda: { sourceId: 's' } } } } as never)) as { statusCode: number; body: string };
        assessInvariant(res, events, put, failed);
      }),
      { numRuns: 300, seed: 101 },
    );
  });

  it('never answers a 5xx to any Content-Encoding, and keeps every refused body with its reason', async () => {
    await fc.assert(
      fc.asyncProperty(encodedRequest, async ({ route, body, encoding, events }) => {
        const { put, failed, handler } = setup();
        const res = (await handler({ rawPath: `/v1/${route}`, headers: { 'content-encoding': encoding }, body: body.toString('base64'), isBase64Encoded: true, requestContext: { requestId: 'r', authorizer: { lambda: { sourceId: 's' } } } } as never)) as { statusCode: number; body: string };
        assessInvariant(res, events, put, failed);
        const codings = encoding.toLowerCase().split(',').map((c) => c.trim()).filter((c) => c && c !== 'identity');
        if (codings.some((c) => c !== 'gzip' && c !== 'x-gzip') || codings.length > 1) expect(res.statusCode).toBe(415);
      }),
      { numRuns: 200, seed: 202 },
    );
  });
});

/** Path segments as a client may send them: text, escapes, broken escapes (`%E0%A4%A`, `%`, `%G1`). */
const pathSegment = fc
  .array(fc.oneof(fc.string({ minLength: 1, maxLength: 6 }), fc.constantFrom('%', '%E0%A4%A', '%G1', '%2F', '%C3%A9', '%FF', '%0', '%%'), fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`)), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(''));

describe('read API fuzz: path parameters', () => {
  it('never answers a 5xx to any percent-encoding in a profile id', async () => {
    const getProfile = makeGetProfile(new MemoryProfileStore(), new MemoryScoreStore());
    await fc.assert(
      fc.asyncProperty(pathSegment, async (raw) => {
        const res = (await getProfile({ pathParameters: { id: raw }, rawPath: `/v1/profiles/${raw}` })) as { statusCode: number; body: string };
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode === 400) expect(JSON.parse(res.body).issues[0].field).toBe('id');
      }),
      { numRuns: 1_000, seed: 303 },
    );
  });
});
