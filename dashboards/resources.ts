/**
 * The dashboard's files that are not compiled: the page and its assets (public/) and its queries (queries/). They
 * sit beside the sources; compiled code runs from dist/dashboards/, so both places are tried.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const roots = [new URL('./', import.meta.url), new URL('../../dashboards/', import.meta.url)].map((u) => fileURLToPath(u));

/** The absolute path of dashboards/<relative> (a fixed name from this module's callers, never request input). */
export function dashboardFile(relative: string): string {
  for (const root of roots) {
    const path = `${root}${relative}`;
    if (existsSync(path)) return path;
  }
  throw new Error(`dashboards/${relative} not found (looked in ${roots.join(', ')})`);
}

const queries = new Map<string, string>();

/** The text of dashboards/queries/<name>.sql. */
export function dashboardQuery(name: string): string {
  let text = queries.get(name);
  if (text === undefined) {
    text = readFileSync(dashboardFile(`queries/${name}.sql`), 'utf8');
    queries.set(name, text);
  }
  return text;
}
