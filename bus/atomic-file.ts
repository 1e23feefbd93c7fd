/** Small files that must never be seen half-written, and survive a power cut once the promise resolves. */
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Writes a temp file, fsyncs it, renames it over `path`, then fsyncs the directory so the rename is durable. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const file = await open(temp, 'w');
  try {
    await file.writeFile(data);
    await file.sync();
  } catch (err) {
    await file.close();
    await unlink(temp).catch(() => {});
    throw err;
  }
  await file.close();
  await rename(temp, path);
  await fsyncDir(dirname(path));
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
