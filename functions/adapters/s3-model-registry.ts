/**
 * ModelRegistry on S3 (the models bucket; s3rver locally).
 *
 *   models/<name>/versions/<version>.json.gz   the artifact, gzip (JSON models shrink 4–5 ×)
 *   models/<name>/versions/<version>.info.json ModelVersionInfo, what `list` reads
 *   models/<name>/current.json                 ModelPointer
 *
 * Artifacts are written before their info and the info before any pointer can name them, so a
 * reader that finds a pointer always finds its artifact. The pointer write is a plain PUT:
 * promotions are rare, operator- or schedule-driven, and the last one wins by design.
 */
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UnknownModelVersionError, type ModelPointer, type ModelRegistry, type ModelVersionInfo } from '../domain/shared/model-registry.ts';

const prefix = (name: string) => `models/${name}/`;

export class S3ModelRegistry implements ModelRegistry {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async publish(info: ModelVersionInfo, body: string): Promise<void> {
    const base = `${prefix(info.name)}versions/${info.version}`;
    await this.put(`${base}.json.gz`, gzipSync(body), 'application/gzip');
    await this.put(`${base}.info.json`, JSON.stringify(info), 'application/json');
  }

  async promote(name: string, version: string, at: string): Promise<ModelPointer> {
    if (!(await this.getText(`${prefix(name)}versions/${version}.info.json`))) throw new UnknownModelVersionError(name, version);
    const current = await this.pointer(name);
    const pointer: ModelPointer = { version, promotedAt: at, ...(current && current.version !== version ? { previous: current.version } : {}) };
    await this.put(`${prefix(name)}current.json`, JSON.stringify(pointer), 'application/json');
    return pointer;
  }

  async pointer(name: string): Promise<ModelPointer | undefined> {
    const text = await this.getText(`${prefix(name)}current.json`);
    return text === undefined ? undefined : (JSON.parse(text) as ModelPointer);
  }

  async load(name: string, version: string): Promise<string> {
    const bytes = await this.getBytes(`${prefix(name)}versions/${version}.json.gz`);
    if (!bytes) throw new UnknownModelVersionError(name, version);
    return gunzipSync(bytes).toString('utf8');
  }

  async list(name: string): Promise<ModelVersionInfo[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${prefix(name)}versions/`, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key?.endsWith('.info.json')) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const infos: ModelVersionInfo[] = [];
    for (const k of keys.sort()) {
      const text = await this.getText(k);
      if (text) infos.push(JSON.parse(text) as ModelVersionInfo);
    }
    return infos;
  }

  private async put(key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  private async getBytes(key: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await out.Body!.transformToByteArray();
    } catch (err) {
      // s3rver and S3 both answer NoSuchKey; an SDK may surface it by name only.
      if (err instanceof NoSuchKey || (err as Error).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  private async getText(key: string): Promise<string | undefined> {
    const bytes = await this.getBytes(key);
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  }
}
