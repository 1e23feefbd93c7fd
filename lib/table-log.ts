/**
 * A table's commit log: version N of a table is the object `<root>/_log/<N, 20 digits>.json`, created with a
 * conditional put (create-only), so exactly one writer wins each version and a reader sees a version whole or
 * not at all. Data files are written first under names nobody else uses; they become visible only when a
 * committed version names them, so a failed job leaves no visible trace.
 * `_log/_latest` is a hint (written after each commit, may lag); readers probe forward from it.
 */
import type { z } from 'zod';
import type { ObjectStore } from '../store/object-store.js';
import { PreconditionFailedError, TerminalError } from './errors.js';

export interface Versioned<T> {
  version: number;
  manifest: T;
}

export class TableLog<T> {
  constructor(
    private readonly store: ObjectStore,
    private readonly root: string,
    private readonly schema: z.ZodType<T>,
  ) {}

  private versionKey(version: number): string {
    return `${this.root}/_log/${String(version).padStart(20, '0')}.json`;
  }

  private get hintKey(): string {
    return `${this.root}/_log/_latest`;
  }

  /** The newest committed version, or null for a table never committed. */
  async latest(): Promise<Versioned<T> | null> {
    const hint = await this.store.get(this.hintKey);
    let version = hint === null ? 0 : Number.parseInt(hint.toString('utf8'), 10) || 0;
    let found: Buffer | null = version > 0 ? await this.store.get(this.versionKey(version)) : null;
    if (version > 0 && found === null) {
      throw new TerminalError(`table log ${this.root}: hint names version ${version} but it does not exist`, { table: this.root, version });
    }
    for (;;) {
      const next = await this.store.get(this.versionKey(version + 1));
      if (next === null) break;
      version += 1;
      found = next;
    }
    return found === null ? null : { version, manifest: this.parse(version, found) };
  }

  async read(version: number): Promise<T | null> {
    const body = await this.store.get(this.versionKey(version));
    return body === null ? null : this.parse(version, body);
  }

  /** Commits `version`; throws PreconditionFailedError when another writer committed it first. */
  async commit(version: number, manifest: T): Promise<void> {
    const body = `${JSON.stringify(manifest, null, 1)}\n`;
    await this.store.put(this.versionKey(version), body, { ifNoneMatch: '*', contentType: 'application/json' });
    await this.store.put(this.hintKey, String(version)).catch(() => undefined); // only a hint: readers probe past it
  }

  private parse(version: number, body: Buffer): T {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new TerminalError(`table log ${this.root}: version ${version} is not JSON`, { table: this.root, version }, err);
    }
    const parsed = this.schema.safeParse(json);
    if (!parsed.success) {
      throw new TerminalError(`table log ${this.root}: version ${version} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { table: this.root, version });
    }
    return parsed.data;
  }
}

export { PreconditionFailedError };
