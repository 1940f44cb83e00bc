/**
 * `sightline segment cluster [--k N]`: clusters of purchase behaviour
 * (functions/domain/campaigns/clusters.ts) trained on every profile, published to the model
 * registry as `clusters`, and written onto each live profile as `tags.cluster = <name>` so
 * a segment can target one (`{ "field": "tags.cluster", "op": "eq", "value": "c2-…" }`).
 *
 * Each tag write is conditional on the version read and bumps it, as the re-tagging pass
 * does (functions/domain/tag/retag.ts): a profile that changed since the scan is counted as
 * a conflict and left as it is (the next run tags it), never overwritten. A profile whose
 * tag is already right is not written. A live profile that has no purchases, and so no
 * cluster, loses a stale `cluster` tag: the tag only ever names a cluster of the current model.
 *
 * Callable from the router, the local platform, tests and benchmarks with explicit services.
 */
import { createHash } from 'node:crypto';
import type { Profile } from '../../schemas/profile.ts';
import type { Services } from '../../functions/shared/services.ts';
import { readAllProfiles } from '../../functions/domain/profiles/read-all-profiles.ts';
import { publishModel } from '../../functions/domain/shared/model-registry.ts';
import { assignCluster, CLUSTER_MODEL_NAME, CLUSTER_TAG, serializeClusterModel, trainClusters, type ClusterModel } from '../../functions/domain/campaigns/clusters.ts';
import { localTarget, resourceName, servicesFor } from '../config.ts';
import { clearProgress, progressLine } from '../output.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** Conditional writes in flight at once: enough to hide the round trip, few enough to stay under a table's burst. */
const WRITE_CONCURRENCY = 8;

export interface ClusterCommandOptions {
  services: Services;
  profilesTable: string;
  modelsBucket: string;
  /** A fixed number of clusters; absent: the best silhouette over k = 2..8. */
  k?: number;
  /** Recency is measured to this instant. */
  asOf: Date;
  seed: number;
  /** Make the published version current (default true); tags are written either way. */
  promote?: boolean;
  progress?: (message: string) => void;
}

export interface ClusterCommandResult {
  model: typeof CLUSTER_MODEL_NAME;
  version: string;
  current: boolean;
  k: number;
  silhouette: number;
  selection: ClusterModel['selection'];
  sizes: number[];
  names: string[];
  descriptions: string[];
  /** Profiles read; buyers clustered; the rest (merged or without orders) skipped. */
  read: number;
  rows: number;
  skipped: number;
  /** Profiles written with a new or changed cluster tag. */
  tagged: number;
  /** Stale cluster tags removed from live profiles that have no cluster. */
  untagged: number;
  unchanged: number;
  /** Writes refused because the profile changed since it was read (left for the next run). */
  conflicts: number;
  seconds: number;
}

/** The profile with its cluster tag set (or removed), or undefined when it is already right. */
function retagged(p: Profile, name: string | undefined, now: string): Profile | undefined {
  if (p.mergedInto || p.tags[CLUSTER_TAG] === name) return undefined;
  if (name === undefined && !(CLUSTER_TAG in p.tags)) return undefined;
  const { [CLUSTER_TAG]: _old, ...rest } = p.tags;
  return { ...p, version: p.version + 1, tags: name === undefined ? rest : { ...rest, [CLUSTER_TAG]: name }, updatedAt: now };
}

export async function clusterCommand(opts: ClusterCommandOptions): Promise<ClusterCommandResult> {
  const say = opts.progress ?? (() => {});
  const started = performance.now();
  const store = opts.services.profileStore(opts.profilesTable);
  say('reading profiles');
  const profiles = await readAllProfiles(store);
  say(`clustering ${profiles.length.toLocaleString('en-GB')} profiles`);
  const { model } = trainClusters(profiles, { asOf: opts.asOf, seed: opts.seed, ...(opts.k ? { k: opts.k } : {}) });

  const body = serializeClusterModel(model);
  const { info, pointer } = await publishModel(opts.services.modelRegistry(opts.modelsBucket), {
    name: CLUSTER_MODEL_NAME,
    body,
    sha256: sha256(body),
    at: new Date(),
    promote: opts.promote,
    summary: { k: model.k, silhouette: Number(model.silhouette.toFixed(4)), rows: model.rows, asOf: model.trainedAt, seed: model.seed },
  });

  const counts = { tagged: 0, untagged: 0, unchanged: 0, conflicts: 0 };
  const now = new Date().toISOString();
  const live = profiles.filter((p) => !p.mergedInto);
  for (let i = 0; i < live.length; i += WRITE_CONCURRENCY) {
    if (i % 400 === 0) say(`tagging ${i.toLocaleString('en-GB')} of ${live.length.toLocaleString('en-GB')} profiles`);
    await Promise.all(
      live.slice(i, i + WRITE_CONCURRENCY).map(async (p) => {
        const name = assignCluster(model, p, opts.asOf)?.name;
        const next = retagged(p, name, now);
        if (!next) return void counts.unchanged++;
        if (!(await store.saveProfile(next, p.version))) return void counts.conflicts++;
        if (name === undefined) counts.untagged++;
        else counts.tagged++;
      }),
    );
  }
  return {
    model: CLUSTER_MODEL_NAME,
    version: info.version,
    current: !!pointer,
    k: model.k,
    silhouette: model.silhouette,
    selection: model.selection,
    sizes: model.sizes,
    names: model.names,
    descriptions: model.descriptions,
    read: profiles.length,
    rows: model.rows,
    skipped: profiles.length - model.rows,
    ...counts,
    seconds: (performance.now() - started) / 1000,
  };
}

export interface ClusterFlags {
  k?: number;
  asOf?: Date;
  seed?: number;
  promote?: boolean;
  profilesTable?: string;
  modelsBucket?: string;
  json?: boolean;
}

/** The router's entry: flags name a deployment's table and bucket, else the local platform's. */
export async function clusterFlagsCommand(o: ClusterFlags): Promise<ClusterCommandResult> {
  const target = o.profilesTable && o.modelsBucket ? undefined : localTarget({ writeKey: 'unused' });
  const progress = progressLine(o.json);
  try {
    return await clusterCommand({
      services: servicesFor(target),
      profilesTable: resourceName('PROFILES_TABLE_NAME', o.profilesTable),
      modelsBucket: resourceName('MODELS_BUCKET', o.modelsBucket),
      k: o.k,
      asOf: o.asOf ?? new Date(),
      seed: o.seed ?? 1,
      promote: o.promote,
      progress,
    });
  } finally {
    if (progress) clearProgress();
  }
}

export function formatClusters(r: ClusterCommandResult): string {
  const total = r.sizes.reduce((a, b) => a + b, 0) || 1;
  const width = Math.max(...r.names.map((n) => n.length));
  return [
    `clusters ${r.version}: k = ${r.k} (silhouette ${r.silhouette.toFixed(3)}) over ${r.rows.toLocaleString('en-GB')} buyers; ${r.skipped.toLocaleString('en-GB')} profiles without orders or merged; ${r.current ? 'now current' : 'published, not current'}`,
    `  silhouette by k: ${r.selection.map((s) => `${s.k} ${s.silhouette.toFixed(3)}`).join(', ')}`,
    ...r.names.map((n, i) => `  ${n.padEnd(width)}  ${String(r.sizes[i]).padStart(7)} (${((100 * r.sizes[i]) / total).toFixed(1).padStart(4)} %)  ${r.descriptions[i]}`),
    `tags.cluster: ${r.tagged} written, ${r.unchanged} already right${r.untagged ? `, ${r.untagged} stale removed` : ''}, ${r.conflicts} changed since read (left for the next run); ${r.seconds.toFixed(1)} s`,
  ].join('\n');
}
