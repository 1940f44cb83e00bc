import { UnknownModelVersionError, type ModelPointer, type ModelRegistry, type ModelVersionInfo } from '../../functions/domain/shared/model-registry.ts';

/** In-memory ModelRegistry with a count of loads, for domain and handler tests. */
export class MemoryModelRegistry implements ModelRegistry {
  readonly versions = new Map<string, { info: ModelVersionInfo; body: string }>();
  readonly pointers = new Map<string, ModelPointer>();
  loads = 0;

  async publish(info: ModelVersionInfo, body: string) {
    this.versions.set(`${info.name}/${info.version}`, { info, body });
  }
  async promote(name: string, version: string, at: string) {
    if (!this.versions.has(`${name}/${version}`)) throw new UnknownModelVersionError(name, version);
    const cur = this.pointers.get(name);
    const p: ModelPointer = { version, promotedAt: at, ...(cur && cur.version !== version ? { previous: cur.version } : {}) };
    this.pointers.set(name, p);
    return p;
  }
  async pointer(name: string) {
    return this.pointers.get(name);
  }
  async load(name: string, version: string) {
    const v = this.versions.get(`${name}/${version}`);
    if (!v) throw new UnknownModelVersionError(name, version);
    this.loads++;
    return v.body;
  }
  async list(name: string) {
    return [...this.versions.values()].filter((v) => v.info.name === name).map((v) => v.info).sort((a, b) => a.version.localeCompare(b.version));
  }
}
