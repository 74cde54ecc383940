import { mkdir, open, readFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { StepRecord } from "../core/index.js";
import { syncDir } from "../util/index.js";

interface PendingLine {
  line: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Counters for tests and benchmarks: `writes < appends` means group commit is batching. */
export interface JournalStats {
  appends: number;
  /** write + fdatasync rounds. */
  writes: number;
  /** Bytes of a torn tail dropped (or a missing newline added) when the journal was opened. */
  repairedBytes: number;
}

/**
 * Append-only JSONL log of finished steps: a step counts once its line is on disk.
 *
 * Group commit: `append()` queues the line; one writer loop writes everything queued so far in one
 * `write` + `fdatasync`, then resolves exactly those appends. Lines that arrive while a write is in
 * flight go into the next batch, so 300 agents finishing together cost a few fsyncs, not 300, and
 * lines reach the file in call order.
 *
 * After a failed write the journal refuses further appends: a partial write may have left a torn
 * line, and anything appended after it would become a corrupt middle line.
 */
export class Journal {
  readonly path: string;
  readonly #handle: FileHandle;
  #queue: PendingLine[] = [];
  #draining: Promise<void> | null = null;
  #failure: Error | null = null;
  #isClosed = false;
  readonly #stats: JournalStats;

  private constructor(file: string, handle: FileHandle, repairedBytes: number) {
    this.path = file;
    this.#handle = handle;
    this.#stats = { appends: 0, writes: 0, repairedBytes };
  }

  /**
   * Opens (creating if needed) a journal for appending. A torn last line left by a crash is cut off
   * first, so new lines never follow garbage; a complete last line that only lacks its newline is
   * kept and terminated (readJournal counts it too).
   */
  static async open(file: string): Promise<Journal> {
    await mkdir(path.dirname(file), { recursive: true });
    const repairedBytes = await repairTail(file);
    const handle = await open(file, "a");
    // Make the new directory entry itself durable, or a crash could lose the whole file.
    await syncDir(path.dirname(file));
    return new Journal(file, handle, repairedBytes);
  }

  get stats(): Readonly<JournalStats> {
    return { ...this.#stats };
  }

  /** Resolves once the record's line has been written and fdatasync'ed. */
  append(record: StepRecord): Promise<void> {
    if (this.#isClosed) return Promise.reject(new Error(`journal ${this.path} is closed`));
    if (this.#failure) return Promise.reject(this.#failure);
    // JSON.stringify escapes newlines inside strings, so one record is always one line.
    const line = `${JSON.stringify(record)}\n`;
    this.#stats.appends++;
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ line, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Waits for every pending append, then closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    await this.#draining;
    await this.#handle.close();
  }

  async #drain(): Promise<void> {
    // Yield once so every append made in the same tick joins the first batch.
    await null;
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        if (this.#failure) throw this.#failure;
        await writeAll(this.#handle, Buffer.from(batch.map((p) => p.line).join(""), "utf8"));
        await this.#handle.datasync();
        this.#stats.writes++;
        for (const pending of batch) pending.resolve();
      } catch (error) {
        this.#failure ??= error instanceof Error ? error : new Error(String(error));
        for (const pending of batch) pending.reject(this.#failure);
      }
    }
    this.#draining = null;
  }
}

/** FileHandle.write may write less than asked; in append mode each write continues at the end. */
async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}

/** Pure: one journal line → record, or `null` when it is not a (complete) step record. */
function parseJournalLine(line: string): StepRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  const isRecord =
    typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as StepRecord).taskId === "string";
  return isRecord ? (value as StepRecord) : null;
}

/**
 * Pure: parses a journal's text. Only the last line may be unreadable (a write torn by a crash:
 * its append never resolved, so the step never counted); it is skipped and counted. An unreadable
 * line anywhere else means the file was not written by us the way we think, so it throws.
 */
export function parseJournal(text: string, file = "journal"): { records: StepRecord[]; tornLines: number } {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const records: StepRecord[] = [];
  let tornLines = 0;
  for (const [index, line] of lines.entries()) {
    const record = parseJournalLine(line);
    if (record) {
      records.push(record);
    } else if (index === lines.length - 1) {
      tornLines = 1;
    } else {
      throw new Error(`${file}:${index + 1}: corrupt journal line in the middle of the file (${preview(line)})`);
    }
  }
  return { records, tornLines };
}

/** Reads a journal written by {@link Journal}; see {@link parseJournal} for the torn-line rule. */
export async function readJournal(file: string): Promise<{ records: StepRecord[]; tornLines: number }> {
  return parseJournal(await readFile(file, "utf8"), file);
}

function preview(line: string): string {
  const text = line.length > 60 ? `${line.slice(0, 60)}…` : line;
  return JSON.stringify(text);
}

const TAIL_CHUNK = 64 * 1024;

/**
 * Makes the file end in a complete line: drops an unparseable last line, or adds the missing "\n"
 * to a parseable one. Returns the bytes removed or added (0 when the file was fine or absent).
 */
async function repairTail(file: string): Promise<number> {
  let handle: FileHandle;
  try {
    handle = await open(file, "r+");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return 0;
    const endsWithNewline = (await readAt(handle, size - 1, 1))[0] === 0x0a;
    const lastLineEnd = endsWithNewline ? size - 1 : size;
    const lastLineStart = (await lastIndexOfNewline(handle, lastLineEnd)) + 1;
    const lastLine = (await readAt(handle, lastLineStart, lastLineEnd - lastLineStart)).toString("utf8");
    if (parseJournalLine(lastLine)) {
      if (endsWithNewline) return 0;
      await handle.write("\n", size);
      await handle.datasync();
      return 1;
    }
    await handle.truncate(lastLineStart);
    await handle.datasync();
    return size - lastLineStart;
  } finally {
    await handle.close();
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}

/** Offset of the last "\n" before `end`, or -1. Reads backwards so a large journal is not loaded. */
async function lastIndexOfNewline(handle: FileHandle, end: number): Promise<number> {
  let chunkEnd = end;
  while (chunkEnd > 0) {
    const chunkStart = Math.max(0, chunkEnd - TAIL_CHUNK);
    const chunk = await readAt(handle, chunkStart, chunkEnd - chunkStart);
    const index = chunk.lastIndexOf(0x0a);
    if (index >= 0) return chunkStart + index;
    chunkEnd = chunkStart;
  }
  return -1;
}
