#!/usr/bin/env node
// The npm registry reachable here serves only linux-x64 builds of platform-specific packages: the other platforms'
// optional packages (@duckdb/node-bindings-darwin-arm64, @rollup/rollup-win32-x64-msvc, ...) answer 404, so
// `npm install` leaves them out of package-lock.json, and `npm ci` then refuses the lock file as out of sync.
// This records each missing optional dependency in the lock with its platform (os/cpu read from its name), which is
// what npm itself writes when it can see them: `npm ci` skips them on other platforms and installs them on their own.
// Run after `npm install` whenever dependencies change: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
const oses = ['darwin', 'linux', 'win32', 'freebsd', 'openbsd', 'android', 'sunos', 'aix', 'netbsd', 'openharmony'];
const cpus = ['arm64', 'x64', 'ia32', 'arm', 'riscv64', 's390x', 'ppc64', 'loong64', 'mips64el'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => oses.includes(p) || p === 'win32');
  const cpu = parts.find((p) => cpus.includes(p)) ?? (parts.includes('eabi') || parts.includes('gnueabihf') || parts.includes('musleabihf') ? 'arm' : undefined);
  const libc = parts.includes('musl') || parts.includes('musleabihf') ? ['musl'] : parts.includes('gnu') || parts.includes('gnueabihf') ? ['glibc'] : undefined;
  return { os: os ? [os] : undefined, cpu: cpu ? [cpu] : undefined, libc };
}

let added = 0;
for (const [location, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = location === '' ? '' : `${location}/`;
    if (packages[`${base}node_modules/${name}`] || packages[`node_modules/${name}`]) continue;
    const { os, cpu, libc } = platformOf(name);
    packages[`node_modules/${name}`] = { version, ...(cpu && { cpu }), ...(libc && { libc }), license: entry.license, optional: true, ...(os && { os }) };
    added += 1;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: recorded ${added} optional platform packages`);
