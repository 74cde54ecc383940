import { z } from "zod";
import { ROLES } from "../core/index.js";
import { DEFAULTS } from "./defaults.js";

// The one definition of the config: types are inferred from it, defaults live in it (those the CLI's
// help shows come from defaults.ts), and swarm.config.example.json is checked against it by a test.

const positiveInt = z.number().int().min(1);

const modelPriceSchema = z
  .object({
    inputPerMTok: z.number().min(0).describe("USD per million uncached input tokens"),
    cachedInputPerMTok: z.number().min(0).describe("USD per million cached input tokens"),
    outputPerMTok: z.number().min(0).describe("USD per million output tokens"),
    minCacheTokens: z.number().int().min(0).optional().describe("shortest prefix the provider caches"),
  })
  .strict();

const modelLimitsSchema = z
  .object({
    contextWindow: positiveInt.optional().describe("tokens of prompt and answer together the model takes"),
    maxOutputTokens: positiveInt.optional().describe("longest answer the model writes, in tokens"),
    editFormat: z.enum(["whole", "search-replace"]).optional().describe("the answer format editFormat auto prefers for this model: whole (edits only when the whole file cannot fit its max output) or search-replace (always edits)"),
  })
  .strict();

const roleRoutingSchema = z
  .object({
    model: z.string().min(1).optional().describe("model for this role; default provider.model"),
    thinking: z.boolean().optional().describe("Kimi thinking mode; false sends thinking:{type:'disabled'}"),
    maxOutputTokens: positiveInt.optional().describe("max_tokens for this role's requests"),
    lightModel: z.string().min(1).optional().describe("model for files under lightMaxBytes"),
    lightMaxBytes: positiveInt.optional().describe("size threshold for lightModel"),
  })
  .strict();

export const configSchema = z
  .object({
    provider: z
      .object({
        baseURL: z.string().url().default(DEFAULTS.baseURL).describe("OpenAI-compatible endpoint"),
        apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name").default("MOONSHOT_API_KEY").describe("name of the environment variable holding the API key (the key never goes in this file)"),
        model: z.string().min(1).default(DEFAULTS.model).describe("model for every role without its own routing.<role>.model"),
        /** Whether the endpoint takes Kimi's `thinking` field. Default: true when the model starts with "kimi". */
        supportsThinking: z.boolean().optional().describe("whether the endpoint takes Kimi's thinking field; default: model starts with \"kimi\""),
        limits: z
          .object({
            rpm: positiveInt.optional().describe("requests per minute your key may send; kept under on our side"),
            tpm: positiveInt.optional().describe("tokens (input + output) per minute your key may use; each request is charged its estimate when it starts"),
            concurrency: positiveInt.optional().describe("requests in flight the provider allows; caps concurrency"),
          })
          .strict()
          .prefault({})
          .describe("your provider's published rate limits (x-ratelimit-* response headers are followed too)"),
      })
      .strict()
      .prefault({}),
    instruction: z.string().optional().describe("what to do; the -i flag wins"),
    codemod: z.string().min(1).optional().describe("a codemod run over the planned files before any request: a .ts/.js/.mjs module (relative to the current folder or the repository) or a built-in (rename-export:<file>#<old>=<new>, move-file:<from>=<to>); only the files it hands off reach the model; the --codemod flag wins"),
    conventions: z.string().default("").describe("project conventions sent with every prompt"),
    roles: z.array(z.enum(ROLES)).min(1).default([...ROLES]).describe("roles to run per file: refactor rewrites it, test writes its test, doc writes <output.docsDir>/<path>.md"),
    output: z
      .object({
        docsDir: z
          .string()
          .min(1)
          .refine((dir) => !dir.startsWith("/") && !dir.split("/").some((part) => part === ".." || part === "src"), "a repo-relative folder outside any src/ folder")
          .default("docs/api")
          .describe("folder the doc role writes to: <docsDir>/<source path>.md, a mirror of the source tree (inside a scoped run's folder)"),
      })
      .strict()
      .prefault({}),
    routing: z
      .object({
        refactor: roleRoutingSchema.prefault({}),
        test: roleRoutingSchema.prefault({}),
        doc: roleRoutingSchema.prefault({}),
        repair: roleRoutingSchema.prefault({}),
      })
      .strict()
      .prefault({}),
    include: z.array(z.string().min(1)).min(1).default(["**/*.{js,jsx,mjs,cjs,ts,tsx,mts,cts}"]).describe("globs of files to work on (.gitignore is honoured)"),
    exclude: z
      .array(z.string().min(1))
      .default([
        "**/node_modules/**",
        "**/dist/**",
        "**/build/**",
        "**/coverage/**",
        "**/vendor/**",
        "**/*.min.js",
        "**/*.d.ts",
        "**/*.test.*",
        "**/*.spec.*",
        "**/{test,spec}.{js,jsx,mjs,cjs,ts,tsx,mts,cts}",
        "**/__tests__/**",
        "**/test/**",
        "**/tests/**",
        "docs/**",
      ])
      .describe("globs never worked on; tests and docs are written by the test and doc roles"),
    maxFileBytes: positiveInt.default(200_000).describe("larger files are skipped (or, up to maxEditFileBytes, refactored with edits)"),
    maxEditFileBytes: positiveInt.default(1_000_000).describe("files over maxFileBytes up to this size are refactored with SEARCH/REPLACE edits (never whole) when editFormat is not whole, if the model's context window takes them; larger ones are skipped"),
    editFormat: z
      .enum(["auto", "whole", "search-replace"])
      .default("auto")
      .describe("how refactor answers carry the file: whole file, SEARCH/REPLACE edits, or auto (edits when the whole file would exceed editThresholdTokens or the model's max output)"),
    editThresholdTokens: positiveInt.default(2000).describe("auto: files whose whole-file answer would exceed this many tokens are answered with SEARCH/REPLACE edits"),
    maxAnswerBytes: positiveInt.nullable().default(null).describe("an answer longer than this is cut off while it streams and rejected; null = max(4 × the file's size, 256 KB)"),
    maxDeletionRatio: z.number().min(0).max(1).default(0.6).describe("a refactor answer removing more than this share of the file's non-blank lines is rejected"),
    allowDeletions: z.boolean().default(false).describe("true: refactor answers may remove any share of a file (maxDeletionRatio off)"),
    concurrency: positiveInt.default(DEFAULTS.concurrency).describe("requests in flight at most; lowered automatically on 429"),
    timeoutMs: positiveInt.default(600_000).describe("total time one request may take, streaming included; the request is cancelled and retried"),
    stallTimeoutMs: positiveInt.default(30_000).describe("a streamed answer silent this long is cancelled and retried"),
    retry: z
      .object({
        attempts: positiveInt.default(3).describe("tries per step, the first included"),
        baseMs: z.number().int().min(0).default(1000).describe("first backoff; doubles per retry, ±20% jitter"),
        maxMs: z.number().int().min(0).default(30_000).describe("backoff cap (a server's Retry-After is honoured above it)"),
      })
      .strict()
      .prefault({}),
    maxSteps: positiveInt.default(4000).describe("requests the run may send in all"),
    maxCostUSD: z.number().positive().nullable().default(null).describe("no request starts that could cross this spend; null = no limit"),
    maxFailureRate: z.number().min(0).max(1).default(DEFAULTS.maxFailureRate).describe("share of tasks that may fail with exit code 0"),
    order: z.enum(["parallel", "dependencies-first"]).default("parallel").describe("dependencies-first: a file is refactored after the files it imports"),
    context: z.object({ maxTokens: z.number().int().min(0).default(2000).describe("token budget for imported files' signatures in each prompt") }).strict().prefault({}),
    validate: z
      .object({
        enabled: z.boolean().default(true).describe("check imports, types and public API across files after the agents"),
        maxRepairs: z.number().int().min(0).default(2).describe("repair rounds before a broken file is reverted"),
        publicApi: z.enum(["keep", "allow"]).default("keep").describe("keep: package entry points may not lose exports or change their kind"),
        commands: z
          .object({
            typecheck: z.string().min(1).optional().describe("your typecheck command, run at HEAD and on the result, e.g. npx tsc --noEmit -p ."),
            lint: z.string().min(1).optional().describe("your lint command; {files} becomes the affected files, e.g. npx eslint {files}"),
            test: z.string().min(1).optional().describe("your test command; {tests} becomes the affected test files, e.g. npx vitest run {tests}"),
          })
          .strict()
          .prefault({})
          .describe("command gates (opt-in, from your config only): run in a temporary worktree with your node_modules"),
        commandTimeoutMs: positiveInt.default(300_000).describe("time limit of one gate command"),
        commandOutputBytes: positiveInt.default(1_000_000).describe("output kept from one gate command"),
      })
      .strict()
      .prefault({}),
    pricing: z.record(z.string(), modelPriceSchema).default({}).describe("per-model prices overriding the built-in table"),
    models: z.record(z.string(), modelLimitsSchema).default({}).describe("per-model limits overriding the built-in table; a task whose answer or prompt cannot fit is left out up front"),
    estimate: z
      .object({
        assumedLatencyMs: positiveInt.default(20_000).describe("latency per request assumed by the estimate's wall time"),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type SwarmConfig = z.infer<typeof configSchema>;
export type ModelPrice = z.infer<typeof modelPriceSchema>;
export type ModelLimits = Required<Pick<z.infer<typeof modelLimitsSchema>, "contextWindow" | "maxOutputTokens">>;
export type ResolvedConfig = Readonly<SwarmConfig>;
