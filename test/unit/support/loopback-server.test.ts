import { countTokens } from "gpt-tokenizer/encoding/cl100k_base";
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  RateLimitError,
} from "openai";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { afterEach, describe, expect, it } from "vitest";
import {
  fenceBlock,
  lognormalLatency,
  parseProtocolMessage,
  startLoopbackServer,
  type LoopbackOptions,
  type LoopbackServer,
  type ParsedRequest,
} from "../../support/loopback-server.js";

const SYSTEM = "You are the refactor agent. Answer with the whole file in one fenced block.";
const SHARED = "Instruction:\nUse const where possible.\n\nProject conventions:\n(none)";

function taskMessage(role: string, file: string, output: string, content: string): string {
  return `Role: ${role}\nFile: ${file}\nOutput: ${output}\n\n${fenceBlock(content, "ts")}`;
}

function protocolMessages(role: string, file: string, output = file, content = "export const a = 1;\n"): ChatCompletionMessageParam[] {
  return [
    { role: "system", content: SYSTEM },
    { role: "user", content: SHARED },
    { role: "user", content: taskMessage(role, file, output, content) },
  ];
}

const servers: LoopbackServer[] = [];
async function start(options?: LoopbackOptions): Promise<{ server: LoopbackServer; client: OpenAI }> {
  const server = await startLoopbackServer(options);
  servers.push(server);
  return { server, client: new OpenAI({ baseURL: server.url, apiKey: "test-key", maxRetries: 0 }) };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function ask(client: OpenAI, messages: ChatCompletionMessageParam[], extra: { max_tokens?: number } = {}) {
  return client.chat.completions.create({ model: "kimi-k2.6", messages, ...extra });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the request to fail");
}

describe("parseProtocolMessage", () => {
  it.each([
    {
      name: "three-backtick fence",
      text: "Role: test\nFile: src/a.ts\nOutput: src/a.test.ts\n\n```ts\nconst a = 1;\n```",
      expected: { role: "test", file: "src/a.ts", output: "src/a.test.ts", lang: "ts", source: "const a = 1;\n" },
    },
    {
      name: "longer fence keeps an inner ``` line",
      text: "Role: doc\nFile: README.ts\nOutput: docs/README.md\n\nnote\n````md\n```js\nx\n```\n````\n",
      expected: { role: "doc", file: "README.ts", output: "docs/README.md", lang: "md", source: "```js\nx\n```\n" },
    },
    {
      name: "no block",
      text: "hello",
      expected: { role: undefined, file: undefined, output: undefined, lang: undefined, source: undefined },
    },
  ])("$name", ({ text, expected }) => {
    expect(parseProtocolMessage(text)).toEqual(expected);
  });
});

describe("loopback server through the openai SDK", () => {
  it("answers each role deterministically in one fenced block", async () => {
    const { server, client } = await start();
    const source = "import { b } from './b.js';\nexport const a = b;\n";
    const refactor = await ask(client, protocolMessages("refactor", "src/a.ts", "src/a.ts", source));
    expect(refactor.choices[0].finish_reason).toBe("stop");
    expect(refactor.choices[0].message.content).toBe(
      "```ts\n// refactored by loopback\nimport { b } from './b.js';\nexport const a = b;\n```",
    );

    const again = await ask(client, protocolMessages("repair", "src/a.ts", "src/a.ts", `// refactored by loopback\n${source}`));
    expect(parseProtocolMessage(again.choices[0].message.content ?? "").source).toBe(`// refactored by loopback\n${source}`);

    const test = await ask(client, protocolMessages("test", "src/a.ts", "src/a.test.ts"));
    expect(test.choices[0].message.content).toBe(
      '```ts\n// test for src/a.ts\nexport const tested = "src/a.ts";\n```',
    );

    const doc = await ask(client, protocolMessages("doc", "src/a.ts", "docs/src/a.ts.md"));
    expect(doc.choices[0].message.content).toBe("```markdown\n# src/a.ts\n\nDocumentation for src/a.ts.\n```");

    expect(server.requests.map((r) => [r.role, r.file, r.nth, r.status, r.model])).toEqual([
      ["refactor", "src/a.ts", 1, 200, "kimi-k2.6"],
      ["repair", "src/a.ts", 1, 200, "kimi-k2.6"],
      ["test", "src/a.ts", 1, 200, "kimi-k2.6"],
      ["doc", "src/a.ts", 1, 200, "kimi-k2.6"],
    ]);
    expect(server.requests[0].answer).toBe(`// refactored by loopback\n${source}`);
  });

  it("uses answer and answerRaw overrides, and lists models without the /v1 prefix", async () => {
    const { server } = await startWithOverrides();
    const client = new OpenAI({ baseURL: server.url.replace(/\/v1$/, ""), apiKey: "test-key", maxRetries: 0 });
    const overridden = await ask(client, protocolMessages("refactor", "src/x.ts"));
    expect(overridden.choices[0].message.content).toBe("````ts\nconst s = ```;\n````");
    const raw = await ask(client, protocolMessages("refactor", "src/raw.ts"));
    expect(raw.choices[0].message.content).toBe("no block here");
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["kimi-k2.6"]);
    expect(server.stats().modelRequests).toBe(1);
    expect(server.requests.map((r) => r.path)).toEqual(["/chat/completions", "/chat/completions"]);
  });

  async function startWithOverrides() {
    return start({
      models: ["kimi-k2.6"],
      answer: (req: ParsedRequest) => (req.file === "src/x.ts" ? "const s = ```;\n" : undefined),
      answerRaw: (req: ParsedRequest) => (req.file === "src/raw.ts" ? "no block here" : undefined),
    });
  }

  it("reports cl100k usage and cached tokens for a repeated prefix", async () => {
    const { server, client } = await start();
    const first = protocolMessages("refactor", "src/a.ts");
    const second = protocolMessages("refactor", "src/b.ts");
    const r1 = await ask(client, first);
    const r2 = await ask(client, second);

    const tokens = (m: ChatCompletionMessageParam) =>
      countTokens(String(m.content), { disallowedSpecial: new Set() }) + 4;
    const prefixTokens = tokens(first[0]) + tokens(first[1]);
    expect(r1.usage?.prompt_tokens).toBe(prefixTokens + tokens(first[2]));
    expect(r1.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    expect(r2.usage?.prompt_tokens).toBe(prefixTokens + tokens(second[2]));
    expect(r2.usage?.prompt_tokens_details?.cached_tokens).toBe(prefixTokens);
    expect((r2.usage as unknown as { cached_tokens: number }).cached_tokens).toBe(prefixTokens);
    expect(r2.usage?.completion_tokens).toBe(
      countTokens(r2.choices[0].message.content ?? "", { disallowedSpecial: new Set() }),
    );
    expect(server.stats()).toMatchObject({ requests: 2, answered: 2, cachedTokens: prefixTokens });
    expect(server.requests[1].usage?.cached_tokens).toBe(prefixTokens);
  });

  it("honours minCacheTokens and cuts answers at max_tokens with finish_reason length", async () => {
    const { client } = await start({ minCacheTokens: 100_000 });
    await ask(client, protocolMessages("refactor", "src/a.ts"));
    const r = await ask(client, protocolMessages("refactor", "src/b.ts"), { max_tokens: 3 });
    expect(r.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    expect(r.choices[0].finish_reason).toBe("length");
    expect(r.usage?.completion_tokens).toBe(3);
  });

  it("returns 429 with retry-after headers visible on the APIError", async () => {
    const { server, client } = await start({
      faults: [{ match: { file: "src/a.ts" }, fault: { kind: "status", status: 429, retryAfterSec: 2, retryAfterMs: 1500 } }],
    });
    const error = await caught(ask(client, protocolMessages("refactor", "src/a.ts")));
    expect(error).toBeInstanceOf(RateLimitError);
    const headers = (error as RateLimitError).headers;
    expect(headers.get("retry-after")).toBe("2");
    expect(headers.get("retry-after-ms")).toBe("1500");
    expect(server.requests[0]).toMatchObject({ status: 429, isAdmitted: true, fault: { kind: "status" } });
  });

  it("returns 500 for a scripted nth request only, and stops after `times`", async () => {
    const { server, client } = await start({
      faults: [{ match: { role: "refactor", nth: 2 }, fault: { kind: "status", status: 500 }, times: 1 }],
    });
    await ask(client, protocolMessages("refactor", "src/a.ts"));
    const error = await caught(ask(client, protocolMessages("refactor", "src/a.ts")));
    expect(error).toBeInstanceOf(InternalServerError);
    await ask(client, protocolMessages("refactor", "src/b.ts"));
    await ask(client, protocolMessages("refactor", "src/b.ts"));
    expect(server.requests.map((r) => `${r.file}#${r.nth}:${r.status}`)).toEqual([
      "src/a.ts#1:200",
      "src/a.ts#2:500",
      "src/b.ts#1:200",
      "src/b.ts#2:200",
    ]);
  });

  it("rejects a wrong key with 401 invalid_api_key, and a scripted 401 likewise", async () => {
    const { server } = await start({
      apiKey: "right-key",
      faults: [{ match: { file: "src/locked.ts" }, fault: { kind: "status", status: 401 } }],
    });
    const wrong = new OpenAI({ baseURL: server.url, apiKey: "wrong-key", maxRetries: 0 });
    const error = await caught(ask(wrong, protocolMessages("refactor", "src/a.ts")));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).code).toBe("invalid_api_key");
    const right = new OpenAI({ baseURL: server.url, apiKey: "right-key", maxRetries: 0 });
    expect(await caught(ask(right, protocolMessages("refactor", "src/locked.ts")))).toBeInstanceOf(AuthenticationError);
    expect(server.requests.map((r) => [r.status, r.isAdmitted])).toEqual([[401, false], [401, true]]);
  });

  it("turns a throwing answer hook into a logged 500", async () => {
    const { server, client } = await start({
      answer: () => {
        throw new Error("boom");
      },
    });
    const error = await caught(ask(client, protocolMessages("refactor", "src/a.ts")));
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).message).toContain("boom");
    expect(server.requests[0].status).toBe(500);
    expect(server.inFlight()).toBe(0);
  });

  it("rejects stream: true with 400 when rejectStreaming is set", async () => {
    const { client } = await start({ rejectStreaming: true });
    const error = await caught(
      client.chat.completions.create({ model: "m", messages: protocolMessages("refactor", "a.ts"), stream: true }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
  });

  it("hangs until the client aborts, by AbortSignal or by client timeout", async () => {
    const { server, client } = await start({ faults: [{ fault: { kind: "hang" } }] });
    const controller = new AbortController();
    const pending = caught(
      client.chat.completions.create(
        { model: "m", messages: protocolMessages("refactor", "src/a.ts") },
        { signal: controller.signal },
      ),
    );
    await server.waitForRequests(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(APIUserAbortError);

    const impatient = new OpenAI({ baseURL: server.url, apiKey: "k", maxRetries: 0, timeout: 100 });
    expect(await caught(ask(impatient, protocolMessages("refactor", "src/b.ts")))).toBeInstanceOf(
      APIConnectionTimeoutError,
    );
    await expect.poll(() => server.inFlight()).toBe(0);
    expect(server.requests.map((r) => [r.status, r.isAborted])).toEqual([[0, true], [0, true]]);
  });

  it("close() ends hung requests", async () => {
    const server = await startLoopbackServer({ faults: [{ fault: { kind: "hang" } }] });
    const client = new OpenAI({ baseURL: server.url, apiKey: "k", maxRetries: 0 });
    const pending = caught(ask(client, protocolMessages("refactor", "src/a.ts")));
    await server.waitForRequests(1);
    await server.close();
    expect(await pending).toBeInstanceOf(APIConnectionError);
  });

  it("sends malformed, truncated, invalid-json and reset faults", async () => {
    const { server, client } = await start({
      faults: [
        { match: { file: "malformed.ts" }, fault: { kind: "malformed" } },
        { match: { file: "truncated.ts" }, fault: { kind: "truncated" } },
        { match: { file: "invalid.ts" }, fault: { kind: "invalid-json" } },
        { match: { file: /^reset/ }, fault: { kind: "reset" } },
      ],
    });
    const malformed = await ask(client, protocolMessages("refactor", "malformed.ts"));
    expect(malformed.choices[0].finish_reason).toBe("stop");
    expect(malformed.choices[0].message.content).not.toContain("```");

    const source = "export const one = 1;\nexport const two = 2;\nexport const three = 3;\n";
    const truncated = await ask(client, protocolMessages("refactor", "truncated.ts", "truncated.ts", source));
    expect(truncated.choices[0].finish_reason).toBe("length");
    const content = truncated.choices[0].message.content ?? "";
    expect(content.startsWith("```ts\n")).toBe(true);
    expect(content.match(/```/g)).toHaveLength(1);

    expect(await caught(ask(client, protocolMessages("refactor", "invalid.ts")))).toBeInstanceOf(Error);
    expect(await caught(ask(client, protocolMessages("refactor", "reset.ts")))).toBeInstanceOf(APIConnectionError);
    expect(server.requests.map((r) => [r.file, r.status, r.fault?.kind])).toEqual([
      ["malformed.ts", 200, "malformed"],
      ["truncated.ts", 200, "truncated"],
      ["invalid.ts", 200, "invalid-json"],
      ["reset.ts", 0, "reset"],
    ]);
  });

  it("admits maxConcurrent requests and answers the overflow with 429", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { server, client } = await start({ maxConcurrent: 3, admissionRetryAfterMs: 250, beforeAnswer: () => gate });
    const results = Array.from({ length: 10 }, (_, i) =>
      ask(client, protocolMessages("refactor", `src/f${i}.ts`)).then(
        () => "ok",
        (error: unknown) => (error instanceof RateLimitError ? `429:${error.headers.get("retry-after-ms")}` : "other"),
      ),
    );
    await server.waitForRequests(10);
    release();
    const outcomes = await Promise.all(results);
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(3);
    expect(outcomes.filter((o) => o === "429:250")).toHaveLength(7);
    expect(server.stats()).toMatchObject({ admitted: 3, rejected429: 7, maxInFlight: 3, answered: 3 });
  });

  it("keyed random faults are the same on every run, whatever the arrival order", async () => {
    const random = { seed: 42, keyed: true, rate429: 0.2, rate5xx: 0.2, rateMalformed: 0.2 };
    const files = Array.from({ length: 30 }, (_, i) => `src/m${i}.ts`);
    async function run(order: string[]): Promise<Record<string, string>> {
      const { server, client } = await start({ random });
      await Promise.all(order.map((f) => ask(client, protocolMessages("refactor", f)).catch(() => undefined)));
      return Object.fromEntries(server.requests.map((r) => [r.file, r.fault ? `${r.fault.kind}:${r.status}` : "none"]));
    }
    const first = await run(files);
    const second = await run([...files].reverse());
    expect(second).toEqual(first);
    const kinds = new Set(Object.values(first));
    expect(kinds.has("none")).toBe(true);
    expect(kinds.size).toBeGreaterThan(2);
  });

  it("arrival-order random faults repeat for sequential requests after reset()", async () => {
    const { server, client } = await start({ random: { seed: 7, rate5xx: 0.5 } });
    const once = async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        await ask(client, protocolMessages("doc", "src/a.ts")).catch(() => undefined);
        statuses.push(server.requests[i].status);
      }
      return statuses;
    };
    const first = await once();
    server.reset();
    expect(server.requests).toHaveLength(0);
    expect(await once()).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
  });

  it("logs latency, thinking and max_tokens per request", async () => {
    const { server, client } = await start({ latencyMs: (req) => (req.file === "slow.ts" ? 5 : 0) });
    await client.chat.completions.create({
      model: "m",
      messages: protocolMessages("refactor", "slow.ts"),
      max_tokens: 500,
      // @ts-expect-error Moonshot-specific field, passed through as-is
      thinking: { type: "disabled" },
    });
    expect(server.requests[0]).toMatchObject({
      delayMs: 5,
      max_tokens: 500,
      thinking: { type: "disabled" },
      output: "slow.ts",
    });
    expect(server.requests[0].messages).toHaveLength(3);
  });
});

describe("lognormalLatency", () => {
  it("is deterministic per request key and centred on the median", () => {
    const latency = lognormalLatency({ medianMs: 100, p99Ms: 1000, seed: 3 });
    const rng = () => 0;
    const req = (i: number) => ({ key: `refactor|src/f${i}.ts|1` }) as ParsedRequest;
    expect(latency(req(1), rng)).toBe(latency(req(1), rng));
    const samples = Array.from({ length: 2001 }, (_, i) => latency(req(i), rng)).sort((a, b) => a - b);
    expect(samples[1000]).toBeGreaterThan(85);
    expect(samples[1000]).toBeLessThan(115);
    expect(samples[1980]).toBeGreaterThan(600);
    expect(samples[1980]).toBeLessThan(1600);
  });
});
