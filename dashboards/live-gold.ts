/**
 * Gold as the dashboard sees it: one catalog over the newest gold version, and the page's data read from it once.
 * A poll (one GET of the next version's log object, so cheap on S3 too) notices a new version; a new catalog is then
 * opened and read before it replaces the old one, which is closed once no lease holds it, and only then are the
 * listeners told. A failed refresh keeps the old version and is tried again on the next tick.
 */
import type { ObjectStore } from '../store/object-store.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { openCatalog, type Catalog } from '../sql/catalog.js';
import { goldLog } from '../gold/manifest.js';
import { readDashboard, type DashboardData } from './dashboard-data.js';

export interface LiveGoldOptions {
  store: ObjectStore;
  /** The internal limit to measure against (a ratio such as "1.10"); default each gold run's own. */
  internalLimit?: string;
  pollIntervalMs?: number;
  /** DuckDB threads of the catalog: the dashboard's queries are small. */
  threads?: number;
  logger?: Logger;
}

export interface CatalogLease {
  catalog: Catalog;
  release(): void;
}

interface Snapshot {
  catalog: Catalog;
  data: DashboardData;
  leases: number;
  retired: boolean;
}

export class LiveGold {
  private current: Snapshot;
  private readonly listeners = new Set<(data: DashboardData) => void>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private refreshing: Promise<void> | null = null;

  private constructor(private readonly options: LiveGoldOptions, first: Snapshot, private readonly log: Logger) {
    this.current = first;
  }

  static async open(options: LiveGoldOptions): Promise<LiveGold> {
    const log = (options.logger ?? silentLogger).child({ module: 'dashboard' });
    const live = new LiveGold(options, await snapshot(options), log);
    live.schedule();
    return live;
  }

  get version(): number | null {
    return this.current.data.goldVersion;
  }

  /** The page's data at the current gold version. */
  get data(): DashboardData {
    return this.current.data;
  }

  /** Called with the new data after each new gold version is in place; returns the unsubscribe. */
  onVersion(listener: (data: DashboardData) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The current catalog, kept open until released (for routes that query it). */
  lease(): CatalogLease {
    const held = this.current;
    held.leases += 1;
    let released = false;
    return {
      catalog: held.catalog,
      release: () => {
        if (released) return;
        released = true;
        held.leases -= 1;
        if (held.retired && held.leases === 0) held.catalog.close();
      },
    };
  }

  /** Checks for a new gold version now (the poll does this on its own). */
  async refresh(): Promise<void> {
    this.refreshing ??= this.check().finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.refreshing?.catch(() => undefined);
    this.listeners.clear();
    retire(this.current);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.refresh().catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'gold refresh failed; keeping the version shown'))
        .finally(() => this.schedule());
    }, this.options.pollIntervalMs ?? 1_000);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    const next = (this.version ?? 0) + 1;
    if ((await goldLog(this.options.store).read(next)) === null) return;
    const fresh = await snapshot(this.options);
    if (this.closed) {
      fresh.catalog.close();
      return;
    }
    const old = this.current;
    this.current = fresh;
    retire(old);
    this.log.info({ goldVersion: fresh.data.goldVersion, previous: old.data.goldVersion }, 'dashboard on a new gold version');
    for (const listener of this.listeners) listener(fresh.data);
  }
}

async function snapshot(options: LiveGoldOptions): Promise<Snapshot> {
  const catalog = await openCatalog({ store: options.store, threads: options.threads ?? 1 });
  try {
    const data = await readDashboard(catalog.db.connection, { goldVersion: catalog.versions.gold, internalLimit: options.internalLimit });
    return { catalog, data, leases: 0, retired: false };
  } catch (err) {
    catalog.close();
    throw err;
  }
}

function retire(snapshot: Snapshot): void {
  if (snapshot.retired) return;
  snapshot.retired = true;
  if (snapshot.leases === 0) snapshot.catalog.close();
}
