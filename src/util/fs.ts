import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";

/** `mkdir -p`; returns the directory. */
export async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Reads and parses a JSON file. The caller validates the shape. */
export async function readJson<T = unknown>(file: string): Promise<T> {
  const text = await readFile(file, "utf8");
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

/**
 * Replaces `file` so that readers (and a crash) see either the old or the new content, never a mix:
 * write a temp file in the same directory (rename is only atomic within one file system), fsync it,
 * rename over the target, then fsync the directory so the rename itself survives a power cut.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx", options.mode ?? 0o666);
  try {
    await handle.writeFile(data);
    if (options.mode !== undefined) await handle.chmod(options.mode); // open()'s mode is filtered by umask
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, file);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
  await syncDir(dir);
}

/** Best effort: directories cannot be opened for fsync on Windows, and nothing there needs it. */
export async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // not supported on this platform / file system
  } finally {
    await handle?.close().catch(() => {});
  }
}
