/**
 * `lakehouse report lcr` and `report verify`: the LCR of a business date, as silver knew it at a given time, in the
 * layout of the Basel LCR common disclosure template (CSV and a readable HTML page), an FR 2052a-style extract of the
 * exposure rows, and a manifest naming the inputs (silver version and files), the rule set and the code, with a
 * SHA-256 of every output file. The outputs are a pure function of the figures: the same figures give the same bytes,
 * whenever and from whichever silver version they are made; the manifest says which inputs were used.
 * Verification rebuilds the outputs from the inputs the manifest names and compares them byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { ObjectStore } from '../../store/object-store.js';
import { quotedString, sqlFile } from '../../lib/duckdb.js';
import { TerminalError, UsageError } from '../../lib/errors.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import { openCatalog } from '../../sql/catalog.js';
import { silverViewTables } from '../../silver/manifest.js';
import { buildExposures } from '../exposures/build-exposures.js';
import { defaultReportingCurrencies } from '../exposures/reporting-currencies.js';
import { computeLcr } from '../lcr/compute-lcr.js';
import type { LcrFigures } from '../lcr/lcr-figures.js';
import { Rational } from '../lcr/rational.js';
import { loadRegime, type Regime } from '../regime/regime.js';
import { templateRows, templateSections, type FlowSums, type TemplateRow } from './template.js';

export const reportFiles = { csv: 'lcr_template.csv', html: 'lcr_template.html', extract: 'fr2052a_extract.csv' } as const;
export const manifestFile = 'manifest.json';

const outputSchema = z.object({ file: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export const reportManifestSchema = z.object({
  report: z.literal('lcr'),
  format: z.literal(1),
  request: z.object({
    as_of_date: z.iso.date(), legal_entity: z.string().nullable(), known_at: z.string(), known_at_given: z.boolean(), regime: z.string(),
    /** The legal entities' reporting currencies the exposures were built with (absent in reports made before it was
     *  recorded, which used defaultReportingCurrencies). */
    reporting_currencies: z.record(z.string(), z.string()).optional(),
  }),
  inputs: z.object({
    silver_version: z.number().int().min(1),
    silver_built_at: z.string(),
    bronze_version: z.number().int().nonnegative(),
    silver_files: z.record(z.string(), z.array(z.string())),
    exposures: z.number().int().nonnegative(),
  }),
  rule_set: z.object({ id: z.string(), version: z.string(), sha256: z.string() }),
  code: z.object({ name: z.string(), version: z.string(), commit: z.string() }),
  entities: z.record(z.string(), z.object({ reporting_currency: z.string(), lcr: z.string().nullable() })),
  outputs: z.array(outputSchema),
});
export type ReportManifest = z.infer<typeof reportManifestSchema>;

export interface LcrReportOptions {
  store: ObjectStore;
  asOfDate: string;
  /** One legal entity, or all. */
  entity?: string;
  /** What silver knew (ISO-8601 with a zone); default now. */
  knownAt?: string;
  regime?: Regime;
  /** Legal entity -> reporting currency (buildExposures; default defaultReportingCurrencies), kept in the manifest. */
  reportingCurrencies?: Readonly<Record<string, string>>;
  /** Silver at this version (verification); default the newest. */
  silverVersion?: number;
  outDir: string;
  logger?: Logger;
  clock?: () => number;
}

/** Writes the report's files and its manifest into outDir (created if missing); returns the manifest. */
export async function writeLcrReport(options: LcrReportOptions): Promise<ReportManifest> {
  const regime = options.regime ?? loadRegime();
  const log = (options.logger ?? silentLogger).child({ module: 'gold.report' });
  const knownAt = new Date(options.knownAt ?? (options.clock ?? Date.now)()).toISOString();
  const reportingCurrencies = { ...(options.reportingCurrencies ?? defaultReportingCurrencies) };
  await mkdir(options.outDir, { recursive: true });
  const catalog = await openCatalog({ store: options.store, silverVersion: options.silverVersion, bronze: false, gold: false, metrics: false });
  try {
    const silverVersion = catalog.versions.silver;
    if (silverVersion === null) throw new TerminalError('report lcr: silver has no version yet: run silver first', {});
    const db = catalog.db.connection;
    await db.run('CREATE SCHEMA IF NOT EXISTS report');
    const built = await buildExposures(db, { asOfDate: options.asOfDate, knownAt, into: 'report.exposures', reportingCurrencies, logger: options.logger });
    const entities = ((await db.runAndReadAll('SELECT DISTINCT legal_entity FROM report.exposures ORDER BY 1')).getRowObjectsJson()).map((r) => String(r.legal_entity));
    if (options.entity !== undefined && !entities.includes(options.entity)) {
      throw new UsageError(`report lcr: legal entity ${JSON.stringify(options.entity)} has no exposures on ${options.asOfDate} as known at ${knownAt} (entities: ${entities.join(', ') || 'none'})`);
    }
    await db.run(`CREATE OR REPLACE VIEW report.selected AS SELECT * FROM report.exposures ${options.entity === undefined ? '' : `WHERE legal_entity = ${quotedString(options.entity)}`}`);
    const figures = new Map<string, LcrFigures>();
    const [report] = await computeLcr(db, { exposures: 'report.selected', regime, onFigures: (_d, entity, f) => figures.set(entity, f) });
    const flowRows = (await db.runAndReadAll(sqlFile('gold/report/lcr_template_flows'))).getRowObjectsJson();
    const flows = new Map<string, Map<number, FlowSums>>();
    for (const f of flowRows) {
      const entity = String(f.legal_entity);
      if (!flows.has(entity)) flows.set(entity, new Map());
      flows.get(entity)!.set(Number(f.template_row), { unweighted: Rational.of(String(f.unweighted)), weighted: Rational.of(String(f.weighted)) });
    }
    const sections = [...figures].map(([entity, f]) => ({
      entity, currency: report.entities[entity].reporting_currency, rows: templateRows(f, flows.get(entity) ?? new Map()),
    }));
    const header = { asOfDate: options.asOfDate, regime };
    await writeFile(join(options.outDir, reportFiles.csv), templateCsv(header, sections));
    await writeFile(join(options.outDir, reportFiles.html), templateHtml(header, sections));
    await db.run(sqlFile('gold/report/fr2052a_extract', { exposures: 'report.selected', out: quotedString(join(options.outDir, reportFiles.extract)) }));

    const silver = catalog.silverManifest!;
    const outputs = [];
    for (const file of Object.values(reportFiles)) {
      const path = join(options.outDir, file);
      outputs.push({ file, bytes: (await stat(path)).size, sha256: await sha256File(path) });
    }
    const manifest: ReportManifest = {
      report: 'lcr', format: 1,
      request: { as_of_date: options.asOfDate, legal_entity: options.entity ?? null, known_at: knownAt, known_at_given: options.knownAt !== undefined, regime: regime.id,
        reporting_currencies: reportingCurrencies,
      },
      inputs: {
        silver_version: silverVersion, silver_built_at: silver.builtAt, bronze_version: silver.bronzeVersion,
        silver_files: Object.fromEntries(silverViewTables.map((t) => [t, (silver.tables[t] ?? []).map((f) => `silver/${f.path}`)])),
        exposures: built.rows,
      },
      rule_set: { id: regime.id, version: regime.version, sha256: regimeHash(regime) },
      code: codeVersion(),
      entities: Object.fromEntries(Object.entries(report.entities).map(([e, r]) => [e, { reporting_currency: r.reporting_currency, lcr: r.lcr }])),
      outputs,
    };
    await writeFile(join(options.outDir, manifestFile), `${JSON.stringify(manifest, null, 2)}\n`);
    log.info({ asOfDate: options.asOfDate, entity: options.entity, knownAt, silverVersion, outDir: options.outDir }, 'LCR report written');
    return manifest;
  } finally {
    catalog.close();
  }
}

export interface VerifyResult {
  ok: boolean;
  /** One line per check: what held, or what differs. */
  lines: string[];
  manifest: ReportManifest;
}

/** Rebuilds the report in `dir` from the inputs its manifest names and compares every output byte for byte. */
export async function verifyLcrReport(options: { store: ObjectStore; dir: string; logger?: Logger }): Promise<VerifyResult> {
  const manifest = await readManifest(options.dir);
  const lines: string[] = [];
  let ok = true;
  const fail = (line: string) => {
    ok = false;
    lines.push(`DIFFERS  ${line}`);
  };
  const onDisk = new Map<string, string | null>();
  for (const out of manifest.outputs) {
    const found = await sha256File(join(options.dir, out.file)).catch(() => null);
    onDisk.set(out.file, found);
    if (found === null) fail(`${out.file}: missing from ${options.dir}`);
    else if (found !== out.sha256) fail(`${out.file}: its SHA-256 is ${found}, the manifest says ${out.sha256} (changed after it was written)`);
  }
  const regime = loadRegime(manifest.request.regime);
  if (regime.version !== manifest.rule_set.version || regimeHash(regime) !== manifest.rule_set.sha256) {
    fail(`rule set ${regime.id}: the report used version ${manifest.rule_set.version} (sha256 ${manifest.rule_set.sha256.slice(0, 12)}), this code has version ${regime.version} (sha256 ${regimeHash(regime).slice(0, 12)})`);
  }
  const code = codeVersion();
  if (code.commit !== manifest.code.commit) lines.push(`NOTE     made by code ${manifest.code.version} (${manifest.code.commit}), verified with ${code.version} (${code.commit})`);
  const rebuilt = await mkdtemp(join(tmpdir(), 'lcr-verify-'));
  try {
    const again = await writeLcrReport({
      store: options.store, asOfDate: manifest.request.as_of_date, entity: manifest.request.legal_entity ?? undefined,
      knownAt: manifest.request.known_at, regime, reportingCurrencies: manifest.request.reporting_currencies, silverVersion: manifest.inputs.silver_version,
      outDir: rebuilt, logger: options.logger,
    });
    for (const out of manifest.outputs) {
      const redone = again.outputs.find((o) => o.file === out.file);
      if (redone === undefined) fail(`${out.file}: not made by the rebuild`);
      else if (redone.sha256 !== onDisk.get(out.file)) fail(`${out.file}: rebuilt from silver version ${manifest.inputs.silver_version} it ${await firstDifference(join(options.dir, out.file), join(rebuilt, out.file))}`);
      else lines.push(`SAME     ${out.file}: ${out.bytes} bytes, sha256 ${out.sha256}`);
    }
  } finally {
    await rm(rebuilt, { recursive: true, force: true });
  }
  return { ok, lines, manifest };
}

async function readManifest(dir: string): Promise<ReportManifest> {
  const path = join(dir, manifestFile);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`report verify: ${path} not found: not a report directory`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`report verify: ${path} is not JSON: ${(err as Error).message}`);
  }
  const parsed = reportManifestSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`report verify: ${path} is not an LCR report manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

async function firstDifference(original: string, rebuilt: string): Promise<string> {
  const [a, b] = await Promise.all([readFile(original, 'utf8').catch(() => null), readFile(rebuilt, 'utf8')]);
  if (a === null) return 'exists, but the original does not';
  const al = a.split('\n');
  const bl = b.split('\n');
  for (let i = 0; i < Math.max(al.length, bl.length); i++) {
    if (al[i] !== bl[i]) return `differs from line ${i + 1}: the report has ${JSON.stringify(al[i] ?? '(end of file)')}, the rebuild ${JSON.stringify(bl[i] ?? '(end of file)')}`;
  }
  return 'differs (in bytes only)';
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function regimeHash(regime: Regime): string {
  const { file: _file, ...rules } = regime;
  return createHash('sha256').update(JSON.stringify(rules)).digest('hex');
}

let code: ReportManifest['code'] | undefined;
/** The package's name and version, and the git commit of the checkout it runs from (LAKEHOUSE_COMMIT overrides). */
export function codeVersion(): ReportManifest['code'] {
  if (code !== undefined) return code;
  const root = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  let commit = process.env.LAKEHOUSE_COMMIT ?? '';
  if (commit === '') {
    try {
      commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      commit = 'unknown';
    }
  }
  code = { name: pkg.name, version: pkg.version, commit };
  return code;
}

interface Section {
  entity: string;
  currency: string;
  rows: TemplateRow[];
}

function csvField(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function templateCsv(header: { asOfDate: string; regime: Regime }, sections: Section[]): string {
  const lines = ['as_of_date,legal_entity,reporting_currency,regime,row,item,total_unweighted_value,total_weighted_value'];
  for (const s of sections) {
    for (const r of s.rows) lines.push([header.asOfDate, s.entity, s.currency, `${header.regime.id} v${header.regime.version}`, r.row, r.item, r.unweighted, r.weighted].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const grouped = (v: string | null) => (v === null ? '' : v.replace(/^(-?\d+)/, (whole) => whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')));

function templateHtml(header: { asOfDate: string; regime: Regime }, sections: Section[]): string {
  const tables = sections.map((s) => {
    const body = s.rows.map((r) => {
      const section = templateSections.find(([first]) => first === r.row);
      const heading = section === undefined ? '' : `<tr class="section"><th colspan="4">${escapeHtml(section[1])}</th></tr>\n`;
      const total = /^TOTAL|RATIO/.test(r.item) ? ' class="total"' : '';
      return `${heading}<tr${total}><td class="row">${r.row}</td><td class="item depth${r.depth}">${escapeHtml(r.item)}</td><td class="num">${grouped(r.unweighted)}</td><td class="num">${grouped(r.weighted)}</td></tr>`;
    }).join('\n');
    return `<section>
<h2>${escapeHtml(s.entity)} <span class="ccy">${escapeHtml(s.currency)}</span></h2>
<table>
<thead><tr><th></th><th>${escapeHtml(s.currency)}, as of ${escapeHtml(header.asOfDate)}</th><th>Total unweighted value</th><th>Total weighted value</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
</section>`;
  }).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>LCR common disclosure template, as of ${escapeHtml(header.asOfDate)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1b1f24; }
table { border-collapse: collapse; width: 100%; max-width: 70rem; margin-bottom: 2rem; }
th, td { border-bottom: 1px solid #d0d7de; padding: 0.3rem 0.6rem; text-align: left; }
td.num, thead th:nth-child(n+3) { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.section th { background: #f0f3f6; }
tr.total td { font-weight: 600; }
td.depth1 { padding-left: 2rem; }
td.row { color: #57606a; width: 2rem; }
.ccy { color: #57606a; font-weight: normal; }
</style>
</head>
<body>
<h1>Liquidity Coverage Ratio: common disclosure template (LCR1)</h1>
<p>As of ${escapeHtml(header.asOfDate)}; rule set ${escapeHtml(header.regime.id)} version ${escapeHtml(header.regime.version)}; ${header.regime.horizon_days}-day horizon.
Point-in-time values for the date (not averages); money rounded half to even to 2 decimals, once. The inputs, rules and code
it was made from are named in manifest.json, with a SHA-256 of this file.</p>
${tables}
</body>
</html>
`;
}
