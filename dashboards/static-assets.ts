/**
 * The page and its assets, from a fixed list of names read into memory once: a request names an entry of the list
 * or gets a 404, so no path from a request ever reaches the file system (no traversal by construction).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { dashboardFile } from './resources.js';

export interface StaticAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

/** URL path -> file. Chart.js's self-contained browser bundle is served from node_modules (no CDN). */
function assetFiles(): Record<string, { file: string; contentType: string }> {
  const chartJsDist = dirname(createRequire(import.meta.url).resolve('chart.js'));
  return {
    '/': { file: dashboardFile('public/index.html'), contentType: 'text/html; charset=utf-8' },
    '/assets/dashboard.js': { file: dashboardFile('public/dashboard.js'), contentType: 'text/javascript; charset=utf-8' },
    '/assets/format.js': { file: dashboardFile('public/format.js'), contentType: 'text/javascript; charset=utf-8' },
    '/assets/charts.js': { file: dashboardFile('public/charts.js'), contentType: 'text/javascript; charset=utf-8' },
    '/assets/dashboard.css': { file: dashboardFile('public/dashboard.css'), contentType: 'text/css; charset=utf-8' },
    '/assets/chart.umd.min.js': { file: join(chartJsDist, 'chart.umd.min.js'), contentType: 'text/javascript; charset=utf-8' },
  };
}

export function loadStaticAssets(): Map<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  for (const [path, { file, contentType }] of Object.entries(assetFiles())) {
    const body = readFileSync(file);
    assets.set(path, { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}
