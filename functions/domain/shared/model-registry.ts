/**
 * The model registry: where trained models (scores, recommender) are published, which
 * version of each is current, and how serving code picks up a new one without a redeploy.
 *
 * Design:
 * - A version is immutable once published: `<UTC yyyymmddThhmmssZ>-<first 8 hex of sha256>`,
 *   so versions sort by time and a re-publish of the same bytes is recognisable.
 * - Publishing does not switch traffic; `promote` does, by rewriting one small pointer.
 *   Rolling back is promoting the previous version (the pointer remembers it).
 * - Serving code holds a `CachedModel`: it re-reads the pointer at most once per `ttlMs` and
 *   loads an artifact only when the pointer names another version, so a warm Lambda pays one
 *   small GET a minute, not an artifact download per request.
 * - Pure: the port is implemented on S3 (functions/adapters/s3-model-registry.ts) and in
 *   memory (tests); hashing is passed in so this module needs no Node built-ins.
 */

export interface ModelVersionInfo {
  name: string;
  version: string;
  createdAt: string;
  /** sha256 of the artifact body, hex. */
  sha256: string;
  bytes: number;
  /** Free-form, small: the family, the training data range, headline metrics. */
  summary?: Record<string, string | number | boolean | null>;
}

export interface ModelPointer {
  version: string;
  promotedAt: string;
  /** The version current before this one, for `rollback`. */
  previous?: string;
}

export interface ModelRegistry {
  /** Stores an artifact as a new version (not current until promoted). */
  publish(info: ModelVersionInfo, body: string): Promise<void>;
  /** Makes `version` current; throws UnknownModelVersionError if it was never published. */
  promote(name: string, version: string, at: string): Promise<ModelPointer>;
  pointer(name: string): Promise<ModelPointer | undefined>;
  load(name: string, version: string): Promise<string>;
  /** Every published version of a model, oldest first. */
  list(name: string): Promise<ModelVersionInfo[]>;
}

export class UnknownModelVersionError extends Error {
  constructor(
    readonly model: string,
    readonly version: string,
  ) {
    super(`model ${model} has no version ${version}`);
    this.name = 'UnknownModelVersionError';
  }
}

export class NoCurrentModelError extends Error {
  constructor(readonly model: string) {
    super(`model ${model} has no current version: train it (sightline train ${model}) or promote one`);
    this.name = 'NoCurrentModelError';
  }
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

export function assertModelName(name: string): void {
  if (!NAME.test(name)) throw new Error(`model name "${name}" must be lower-case letters, digits and dashes`);
}

/** `20111209T120000Z-1a2b3c4d`: sortable by time, tied to the bytes. */
export function newModelVersion(at: Date, sha256Hex: string): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${stamp}-${sha256Hex.slice(0, 8)}`;
}

/** Publishes and promotes in one step: what `sightline train` does unless told `--no-promote`. */
export async function publishModel(
  registry: ModelRegistry,
  opts: { name: string; body: string; sha256: string; at: Date; summary?: ModelVersionInfo['summary']; promote?: boolean },
): Promise<{ info: ModelVersionInfo; pointer?: ModelPointer }> {
  assertModelName(opts.name);
  const info: ModelVersionInfo = {
    name: opts.name,
    version: newModelVersion(opts.at, opts.sha256),
    createdAt: opts.at.toISOString(),
    sha256: opts.sha256,
    bytes: new TextEncoder().encode(opts.body).length,
    ...(opts.summary ? { summary: opts.summary } : {}),
  };
  await registry.publish(info, opts.body);
  const pointer = opts.promote === false ? undefined : await registry.promote(opts.name, info.version, info.createdAt);
  return { info, pointer };
}

/** Promotes the version that was current before the current one. */
export async function rollbackModel(registry: ModelRegistry, name: string, at: Date): Promise<ModelPointer> {
  const current = await registry.pointer(name);
  if (!current) throw new NoCurrentModelError(name);
  if (!current.previous) throw new Error(`model ${name} has no previous version to roll back to`);
  return registry.promote(name, current.previous, at.toISOString());
}

/**
 * The current version of one model, parsed once per version and re-checked at most every
 * `ttlMs`. `parse` turns the stored text into the serving object (and validates it); a
 * failed parse keeps serving the version already loaded and throws only if there is none.
 */
export class CachedModel<T> {
  private loaded?: { version: string; model: T };
  private checkedAt = -Infinity;

  constructor(
    private readonly registry: ModelRegistry,
    readonly name: string,
    private readonly parse: (body: string) => T,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current model, or undefined when none has been promoted yet. */
  async get(): Promise<{ version: string; model: T } | undefined> {
    const t = this.now();
    if (t - this.checkedAt < this.ttlMs) return this.loaded;
    const pointer = await this.registry.pointer(this.name);
    this.checkedAt = t;
    if (!pointer) return this.loaded;
    if (this.loaded?.version === pointer.version) return this.loaded;
    try {
      this.loaded = { version: pointer.version, model: this.parse(await this.registry.load(this.name, pointer.version)) };
    } catch (err) {
      if (!this.loaded) throw err;
    }
    return this.loaded;
  }
}
