/**
 * Atomic file writes: the bytes go to a temporary file beside the target, are flushed to disk
 * (fsync), and only then renamed over the target. A crash or a kill at any moment leaves either the
 * old file or the new one, never a torn mix. Rename is atomic within one file system, which is why
 * the temporary file lives in the target's own directory.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

/** Writes `chunks` to `path` atomically (synchronous). */
export function writeFileAtomicSync(path: string, chunks: Uint8Array | Uint8Array[]): void {
  const temp = tempPathFor(path);
  const fd = openSync(temp, 'w', 0o644);
  try {
    for (const chunk of Array.isArray(chunks) ? chunks : [chunks]) {
      let offset = 0;
      while (offset < chunk.byteLength) offset += writeSync(fd, chunk, offset, chunk.byteLength - offset);
    }
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** Writes `chunks` to `path` atomically. */
export async function writeFileAtomic(path: string, chunks: Uint8Array | Uint8Array[]): Promise<void> {
  const temp = tempPathFor(path);
  const handle = await open(temp, 'w', 0o644);
  try {
    for (const chunk of Array.isArray(chunks) ? chunks : [chunks]) await handle.write(chunk);
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw err;
  }
}
