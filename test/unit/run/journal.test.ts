import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { StepRecord } from "../../../src/core/types.js";
import { Journal, parseJournal, readJournal } from "../../../src/run/journal.js";
import { tempDir } from "../../support/git-repo.js";

function journalPath(): string {
  return path.join(tempDir("swarm-journal-"), "runs", "20250101-000000-abcd", "journal.jsonl");
}

function record(i: number, extra: Partial<StepRecord> = {}): StepRecord {
  return {
    taskId: `refactor:src/f${i}.ts`,
    kind: "refactor",
    attempt: 1,
    model: "m",
    ok: true,
    content: `export const v${i} = ${i};\n// "quotes", newlines\n\u2028 and separators`,
    usage: { inputTokens: i, cachedInputTokens: 0, outputTokens: 1 },
    latencyMs: 10,
    final: true,
    ...extra,
  };
}

const linesOf = (file: string) => readFileSync(file, "utf8").split("\n").filter(Boolean);

describe("Journal", () => {
  it("writes one JSON line per record and reads them back", async () => {
    const file = journalPath();
    const journal = await Journal.open(file);
    for (let i = 0; i < 3; i++) await journal.append(record(i));
    await journal.close();
    expect(linesOf(file)).toHaveLength(3);
    expect(await readJournal(file)).toEqual({ records: [record(0), record(1), record(2)], tornLines: 0 });
  });

  it("appends to an existing journal (resume)", async () => {
    const file = journalPath();
    const first = await Journal.open(file);
    await first.append(record(1));
    await first.close();
    const second = await Journal.open(file);
    await second.append(record(2));
    await second.close();
    expect((await readJournal(file)).records.map((r) => r.taskId)).toEqual(["refactor:src/f1.ts", "refactor:src/f2.ts"]);
  });

  it("resolves each append only once its line is in the file, in call order", async () => {
    const file = journalPath();
    const journal = await Journal.open(file);
    const resolved: number[] = [];
    const appends = Array.from({ length: 300 }, (_, i) =>
      journal.append(record(i)).then(() => {
        const onDisk = readFileSync(file, "utf8");
        expect(onDisk).toContain(`"taskId":"refactor:src/f${i}.ts"`);
        resolved.push(i);
      }),
    );
    await Promise.all(appends);
    await journal.close();
    expect(resolved).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect((await readJournal(file)).records.map((r) => r.usage.inputTokens)).toEqual(resolved);
  });

  it("group commit: a same-tick burst is one write, lines arriving mid-write form the next batch", async () => {
    const file = journalPath();
    const journal = await Journal.open(file);

    // 300 appends in one tick → one write + fdatasync.
    await Promise.all(Array.from({ length: 300 }, (_, i) => journal.append(record(i))));
    expect(journal.stats).toMatchObject({ appends: 300, writes: 1 });

    // One append starts a write; the next 49 are queued while it is in flight (file I/O always
    // completes in a later event-loop turn, after these microtasks) and share the second write.
    const first = journal.append(record(300));
    await Promise.resolve();
    await Promise.resolve();
    const rest = Array.from({ length: 49 }, (_, i) => journal.append(record(301 + i)));
    await Promise.all([first, ...rest]);
    expect(journal.stats).toMatchObject({ appends: 350, writes: 3 });

    await journal.close();
    expect((await readJournal(file)).records.map((r) => r.usage.inputTokens)).toEqual(Array.from({ length: 350 }, (_, i) => i));
  });

  it("rejects appends after close, and close is idempotent", async () => {
    const journal = await Journal.open(journalPath());
    const pending = journal.append(record(1));
    await journal.close(); // waits for the pending append
    await expect(pending).resolves.toBeUndefined();
    await expect(journal.append(record(2))).rejects.toThrow(/closed/);
    await journal.close();
  });

  it("cuts a torn last line on open so new lines never follow garbage", async () => {
    const file = journalPath();
    const journal = await Journal.open(file);
    await journal.append(record(1));
    await journal.close();
    const torn = JSON.stringify(record(2)).slice(0, 25);
    appendFileSync(file, torn);

    expect(await readJournal(file)).toEqual({ records: [record(1)], tornLines: 1 });
    const reopened = await Journal.open(file);
    expect(reopened.stats.repairedBytes).toBe(Buffer.byteLength(torn));
    await reopened.append(record(3));
    await reopened.close();
    expect(await readJournal(file)).toEqual({ records: [record(1), record(3)], tornLines: 0 });
  });

  it("keeps a complete last record that only lacks its newline", async () => {
    const file = journalPath();
    const journal = await Journal.open(file);
    await journal.append(record(1));
    await journal.close();
    appendFileSync(file, JSON.stringify(record(2)));
    expect((await readJournal(file)).records).toHaveLength(2);
    const reopened = await Journal.open(file);
    expect(reopened.stats.repairedBytes).toBe(1);
    await reopened.append(record(3));
    await reopened.close();
    expect((await readJournal(file)).records.map((r) => r.usage.inputTokens)).toEqual([1, 2, 3]);
  });

  it("repairs a journal that is nothing but a torn line, and a torn tail longer than the read chunk", async () => {
    const file = journalPath();
    const journal = await Journal.open(file);
    await journal.close();
    writeFileSync(file, '{"taskId":"x","content":"' + "y".repeat(200_000));
    const reopened = await Journal.open(file);
    await reopened.append(record(1));
    await reopened.close();
    expect(await readJournal(file)).toEqual({ records: [record(1)], tornLines: 0 });
  });
});

describe("parseJournal", () => {
  const good = (i: number) => JSON.stringify(record(i));

  it("reads an empty journal", () => {
    expect(parseJournal("")).toEqual({ records: [], tornLines: 0 });
  });

  it.each([
    ["a torn object", '{"taskId":"refactor:src/x.ts","kin'],
    ["NUL bytes left by a crash", "\u0000\u0000\u0000"],
    ["a torn line ending in a newline", '{"taskId":\n'],
  ])("skips %s at the end", (_name, tail) => {
    expect(parseJournal(`${good(1)}\n${good(2)}\n${tail}`)).toEqual({ records: [record(1), record(2)], tornLines: 1 });
  });

  it.each([
    ["unparseable", "{oops"],
    ["not a record", '{"hello":1}'],
    ["an array", "[1,2]"],
    ["blank", ""],
  ])("throws on a corrupt middle line (%s)", (_name, middle) => {
    expect(() => parseJournal(`${good(1)}\n${middle}\n${good(2)}\n`, "j.jsonl")).toThrow(/j\.jsonl:2: corrupt journal line/);
  });
});
