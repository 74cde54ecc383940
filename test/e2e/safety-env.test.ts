// Issue 7, environment and config, through the real CLI: a missing key, an endpoint that is not there or
// is not an OpenAI API, a bad config or bad flags are each one clear line with exit 2, before any task is
// queued, and leave the repository byte-identical (no run directory, no branch, no exclude line).
import { createServer } from "node:http";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { gitRepo } from "../support/git-repo.js";
import { expectUsageFailure, hashEverything, listenLocal, swarm, useSafetyFixture } from "./safety-support.js";

// The cases on the shared repository fail before writing: fx.expectNothingWritten() checks it byte for byte.
const fx = useSafetyFixture({ repo: { "src/a.js": "export const a = 1;\n" } });

describe("the API key", () => {
  it("missing: names the variable, sends nothing", async () => {
    const result = await swarm(["run", fx.repo.dir, "-i", "Tidy", "--base-url", fx.server.url], { MOONSHOT_API_KEY: undefined });
    expectUsageFailure(result, "no API key: set MOONSHOT_API_KEY (the variable named by provider.apiKeyEnv)");
    expect(fx.server.requests).toHaveLength(0);
    expect(fx.server.stats().modelRequests).toBe(0);
    await fx.expectNothingWritten();
  });

  it("missing under the name the config gives (provider.apiKeyEnv)", async () => {
    const config = path.join(fx.scratch, "config-key.json");
    await writeFile(config, JSON.stringify({ provider: { apiKeyEnv: "MY_ENDPOINT_TOKEN" } }));
    const result = await swarm(["run", fx.repo.dir, "-c", config, "-i", "Tidy", "--base-url", fx.server.url]);
    expectUsageFailure(result, "no API key: set MY_ENDPOINT_TOKEN");
    expect(fx.server.stats().modelRequests).toBe(0);
    await fx.expectNothingWritten();
  });
});

describe("the endpoint: the preflight fails fast, with the URL and the cause, before any task is queued", () => {
  it("a closed port on 127.0.0.1", async () => {
    const probe = createServer();
    const url = await listenLocal(probe);
    await new Promise((resolve) => probe.close(resolve));
    const result = await swarm(["run", fx.repo.dir, "-i", "Tidy", "--base-url", url]);
    expectUsageFailure(result, `cannot reach ${url}: connection failed`);
    expect(result.stderr).toContain("hint: check provider.baseURL (or --base-url); no task was started");
    // Only the phase lines a terminal sees from the first 100 ms (issue 17): no task line, no report.
    expect(result.stdout.split("\n").filter((line) => line !== "" && !line.startsWith("phase: "))).toEqual([]);
    await fx.expectNothingWritten();
  });

  // A 404 from GET /models whose body is not JSON is a wrong URL, not a server without /models.
  it("a URL that answers 404 with an HTML page (a web server, not an OpenAI-compatible API)", async () => {
    // Its own repository, so that a regression (a run that starts) cannot write into the shared fixture.
    const own = await gitRepo({ "src/a.js": "export const a = 1;\n" });
    const ownBytes = await hashEverything(own.dir);
    const seen: string[] = [];
    const html = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(404, { "content-type": "text/html" }).end("<!doctype html><title>Not Found</title><h1>Not Found</h1>");
    });
    const url = await listenLocal(html);
    try {
      const result = await swarm(["run", own.dir, "-i", "Tidy", "--base-url", url]);
      // Only the preflight went out: no chat request, so no task was queued.
      expect(seen.filter((line) => line.includes("/chat/completions"))).toEqual([]);
      expectUsageFailure(result, `cannot reach ${url}`);
      expect(result.stderr).toMatch(/404/);
      expect(await hashEverything(own.dir)).toEqual(ownBytes);
    } finally {
      await new Promise((resolve) => html.close(resolve));
    }
  });

  it("a base URL that is not http(s)", async () => {
    const result = await swarm(["estimate", fx.repo.dir, "--base-url", "ftp://127.0.0.1/v1"]);
    expectUsageFailure(result, 'provider.baseURL: expected an http:// or https:// URL, got "ftp://127.0.0.1/v1"');
    await fx.expectNothingWritten();
  });
});

describe("the config file", () => {
  it("names every bad key and why, all at once, on one line", async () => {
    const config = path.join(fx.scratch, "config-bad.json");
    await writeFile(
      config,
      JSON.stringify({ concurrency: 0, retry: { attempts: -2 }, concurreny: 5, provider: { baseURL: "not a url", modle: "x" }, roles: ["refactor", "lint"] }),
    );
    const result = await swarm(["plan", fx.repo.dir, "-c", config]);
    expectUsageFailure(result, /^swarm: config \S+-bad\.json: /);
    const line = result.stderr.split("\n")[0]!;
    for (const part of [
      "concurrency: Too small: expected number to be >=1, got 0",
      "retry.attempts: Too small: expected number to be >=1, got -2",
      'concurreny: unknown key (did you mean "concurrency"?)',
      'provider.baseURL: Invalid URL, got "not a url"',
      'provider.modle: unknown key (did you mean "provider.model"?)',
      'roles.1: expected one of "refactor"|"test"|"doc", got "lint"',
    ]) {
      expect(line).toContain(part);
    }
    await fx.expectNothingWritten();
  });

  it("not JSON, not an object, a directory, or missing: each its own message", async () => {
    const dir = path.join(fx.scratch, "user-configs");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "broken.json"), "{ concurrency: 3 ");
    await writeFile(path.join(dir, "array.json"), "[1, 2]");
    const cases: [string, RegExp][] = [
      [path.join(dir, "broken.json"), /^swarm: config \S+broken\.json: not valid JSON \(/],
      [path.join(dir, "array.json"), /^swarm: config \S+array\.json: expected a JSON object$/],
      [dir, /^swarm: config \S+-configs: is a directory, expected a JSON file$/],
      [path.join(dir, "absent.json"), /^swarm: config file not found: \S+absent\.json$/],
    ];
    for (const [file, message] of cases) expectUsageFailure(await swarm(["plan", fx.repo.dir, "-c", file]), message);
    await fx.expectNothingWritten();
  });

  it("a config saved with a byte-order mark is read like any other", async () => {
    const config = path.join(fx.scratch, "config-bom.json");
    await writeFile(config, `\ufeff${JSON.stringify({ roles: ["refactor"] })}`);
    const result = await swarm(["plan", fx.repo.dir, "-c", config, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { roles: string[] }).roles).toEqual(["refactor"]);
    await fx.expectNothingWritten();
  });
});
