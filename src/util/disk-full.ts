// Whether an error is the disk's, not ours: out of space, over quota, or mounted read-only. Pure.

const CODES: ReadonlySet<string> = new Set(["ENOSPC", "EDQUOT", "EROFS"]);
// git and other child processes report it in words, not as an errno.
const WORDS = /No space left on device|Disk quota exceeded|Read-only file system/i;

/**
 * Where a write failed for want of disk (the errno's path, when the error names one), following the
 * cause chain; null when the error is something else.
 */
export function diskFullAt(error: unknown): { path: string | undefined } | null {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (typeof e !== "object") return WORDS.test(String(e)) ? { path: undefined } : null;
    const { code, path, message } = e as { code?: unknown; path?: unknown; message?: unknown };
    if ((typeof code === "string" && CODES.has(code)) || (typeof message === "string" && WORDS.test(message))) {
      return { path: typeof path === "string" ? path : undefined };
    }
  }
  return null;
}
