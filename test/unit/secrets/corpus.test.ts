// The rule set measured on a labelled corpus: every kind issue 14 lists (lowercase variants included) as
// positives; hashes, UUIDs, base64 images, placeholders and obvious fixtures as negatives. Reports
// precision and recall, and fails below the floors the README states.
import { describe, expect, it } from "vitest";
import { secretContentReason } from "../../../src/scan/secrets.js";
import { digits, hex, pick } from "./samples.js";

const LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";
const b64 = (n: number) => pick(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
const jwt = [
  Buffer.from('{"alg":"RS256","kid":"k1"}').toString("base64url"),
  Buffer.from('{"sub":"svc-payments","iss":"https://auth.internal","exp":1900000000}').toString("base64url"),
  pick(86, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
].join(".");

// [name, path, text]
const POSITIVES: [string, string, string][] = [
  ["OpenAI project key (short, as in the issue)", "src/a.ts", `const k = "sk-proj-${pick(30)}";`],
  ["OpenAI legacy key", "src/a.ts", `apiKey: "sk-${pick(48)}"`],
  ["OpenAI service-account key", "src/a.ts", `"sk-svcacct-${pick(40, LOWER + "ABC_-")}"`],
  ["DeepSeek key (sk- + 32 lowercase hex)", "src/a.ts", `const deepseek = "sk-${hex(32)}";`],
  ["all-lowercase sk- key", "src/a.ts", `KEY = 'sk-${pick(40, LOWER)}'`],
  ["Moonshot key", "src/a.ts", `MOONSHOT_API_KEY=sk-${pick(48)}\n`],
  ["Anthropic key (full)", "src/a.ts", `"sk-ant-api03-${pick(93)}AA"`],
  ["Anthropic key (short)", "src/a.ts", `x = "sk-ant-api03-${pick(32)}"`],
  ["Stripe live key", "src/a.ts", `stripe("sk_live_${pick(24)}")`],
  ["Stripe test key", "src/a.ts", `stripe("sk_test_${pick(24)}")`],
  ["Stripe restricted key", "src/a.ts", `"rk_live_${pick(24)}"`],
  ["SendGrid key", "src/a.ts", `sg.setApiKey("SG.${pick(22)}.${pick(43)}");`],
  ["SendGrid key, lowercase body", "src/a.ts", `sg.setApiKey("SG.${pick(22, LOWER)}.${pick(43, LOWER)}");`],
  ["Slack bot token", "src/a.ts", `"xoxb-${digits(12)}-${digits(13)}-${pick(24)}"`],
  ["Slack user token", "src/a.ts", `"xoxp-${digits(12)}-${digits(12)}-${digits(12)}-${pick(32)}"`],
  ["Slack webhook", "src/a.ts", `post("https://hooks.slack.com/services/T${pick(8)}/B${pick(8)}/${pick(24)}")`],
  ["GitHub classic token", "src/a.ts", `token: "ghp_${pick(36)}"`],
  ["GitHub OAuth token", "src/a.ts", `"gho_${pick(36)}"`],
  ["GitHub fine-grained token", "src/a.ts", `"github_pat_${pick(82)}"`],
  ["GitHub fine-grained token (short fixture)", "src/a.ts", `"github_pat_11${pick(58)}"`],
  ["GitLab token", "src/a.ts", `"glpat-${pick(20)}"`],
  ["GitLab token, lowercase", "src/a.ts", `"glpat-${pick(20, LOWER)}"`],
  ["AWS access key", "src/a.ts", `accessKeyId: "AKIA${pick(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}"`],
  ["AWS session key with 8/9", "src/a.ts", `"ASIA${pick(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}"`],
  ["AWS secret access key", "config/aws.ini", `aws_secret_access_key = ${pick(20)}Ab1${pick(17)}\n`],
  ["GCP service-account JSON", "keys/gcp.json", `{\n  "type": "service_account",\n  "project_id": "demo",\n  "private_key_id": "${hex(40)}"\n}\n`],
  ["Google API key", "src/a.ts", `fetch("https://maps.googleapis.com/x?key=AIza${pick(35)}&q=1")`],
  ["Azure storage connection string", "src/a.ts", `"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${b64(86)}==;EndpointSuffix=core.windows.net"`],
  ["Azure AD client secret", "src/a.ts", `clientSecret: "ab1${digits(1)}Q~${pick(32)}"`],
  ["npm token", "src/a.ts", `//registry.npmjs.org/:_authToken=npm_${pick(36)}\n`],
  ["npm token, lowercase", "src/a.ts", `"npm_${pick(36, LOWER)}"`],
  ["RSA private key block", "src/a.ts", `const pem = \`-----BEGIN RSA PRIVATE KEY-----\n${b64(64)}\n-----END RSA PRIVATE KEY-----\`;`],
  ["OpenSSH private key header", "src/a.ts", `"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3Blbn"`],
  ["EC private key", "src/a.ts", `-----BEGIN EC PRIVATE KEY-----\n${b64(64)}\n-----END EC PRIVATE KEY-----\n`],
  ["JWT", "src/a.ts", `headers: { authorization: "Bearer ${jwt}" }`],
  ["database URL with a password", "src/a.ts", `const url = "postgres://admin:${pick(16)}@db.prod.internal:5432/app";`],
  ["https URL with a token", "src/a.ts", `git clone https://bot:${pick(24)}@github.com/org/repo.git`],
  ["JSON literal password", "config/app.json", `{ "db": { "host": "db1", "password": "hunter2-${pick(6, LOWER)}" } }`],
  ["YAML literal password", "config/app.yaml", `database:\n  db_password: S3cr3t-${pick(6)}\n`],
  ["properties literal token", "app.properties", `api.token=${pick(24)}\n`],
  ["YAML quoted client secret", "deploy/values.yml", `oauth:\n  client_secret: "${pick(20)}"\n`],
  ["INI secret", "setup.cfg", `[auth]\nsecret = ${pick(18)}\n`],
  ["Hugging Face token", "src/a.py", `HF_TOKEN = "hf_${pick(34, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")}"`],
  ["Perplexity key", "src/a.ts", `"pplx-${pick(48)}"`],
  ["DigitalOcean token", "src/a.ts", `"dop_v1_${hex(64)}"`],
];

const NEGATIVES: [string, string, string][] = [
  ["GitHub Actions permissions (seen in hono's workflows)", ".github/workflows/cr.yml", "permissions:\n  contents: read\n  id-token: write\n  pull-requests: write\n"],
  ["GitHub Actions secret reference", ".github/workflows/release.yml", "env:\n  NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n"],
  ["sha1 hex digest", "src/a.ts", `const sha = "${hex(40)}";`],
  ["sha256 hex digest", "src/a.ts", `expect(hash).toBe("${hex(64)}");`],
  ["UUID", "src/a.ts", `const id = "${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}";`],
  ["UUIDs in JSON", "data/ids.json", `["${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}", "${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}"]`],
  ["base64 PNG data URI", "src/a.ts", `const icon = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";`],
  ["long base64 image", "src/a.ts", `export const logo = "data:image/jpeg;base64,/9j/${b64(600)}";`],
  ["package-lock integrity", "package-lock.json", `{ "integrity": "sha512-${b64(86)}==" }`],
  ["AWS documentation example key", "src/a.ts", `const id = "AKIA" + "IOSFODNN7EXAMPLE";`.replace('" + "', "")],
  ["jwt.io sample token", "src/a.ts", `const token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";`],
  ["sk- in prose", "src/a.ts", "// the sk- prefix marks secret keys; never commit one\nconst prefix = 'sk-';"],
  ["kebab-case sk- package", "src/a.ts", `import x from "sk-learn-model-selection-helpers";`],
  ["short sk- string", "src/a.ts", `const k = "sk-test";`],
  ["lowercase sk- slug without digits", "src/a.ts", `const slug = "sk-abcdefghijklmnopqrstuvwxyz";`],
  ["Stripe publishable key", "src/a.ts", `stripe("pk_live_${pick(24)}")`],
  ["localhost database URL", "src/a.ts", `const url = "postgres://user:secret@localhost:5432/db";`],
  ["loopback MySQL URL", "src/a.ts", `"mysql://root:root@127.0.0.1/test"`],
  ["placeholder URL password", "docs/a.md", "Use `https://user:password@example.com/repo.git` as the remote."],
  ["env reference in JSON", "config/app.json", `{ "password": "\${DB_PASSWORD}" }`],
  ["placeholder in YAML", "config/app.yaml", `db:\n  password: changeme\n`],
  ["template in properties", "app.properties", `api.token=<your-token-here>\n`],
  ["tokenizer setting", "config/app.json", `{ "tokenizer": "cl100k_base", "maxTokens": "4096" }`],
  ["password length setting", "config/app.json", `{ "passwordMinLength": "12345678" }`],
  ["env-variable name as value", "config/app.yaml", `llm:\n  api_key: OPENAI_API_KEY\n`],
  ["key file path", "app.properties", `ssl.private_key=/etc/ssl/private/app.key\n`],
  ["empty YAML password", "config/app.yaml", `password:\nuser: admin\n`],
  ["form code reading a password", "src/login.ts", `const password = form.get("password");\nif (password.length < 8) throw new Error("short");`],
  ["public key block", "src/a.ts", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"],
  ["certificate", "src/a.ts", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"],
  ["ghp_ prefix check", "src/a.ts", `if (token.startsWith("ghp_")) return "classic";`],
  ["Slack prefixes", "src/a.ts", `const SLACK_PREFIXES = ["xoxb-", "xoxp-"];`],
  ["npm_ prefix check", "src/a.ts", `if (t.startsWith("npm_")) kind = "npm";`],
  ["AIza prefix check", "src/a.ts", `if (key.startsWith("AIza")) {}`],
  ["git commit hashes in a changelog", "CHANGELOG.md", `- fix parser (${hex(7)})\n- ${hex(40)} bump deps\n`],
  ["CSS colours", "src/a.css", `.a { color: #${hex(6)}; background: #${hex(6)}; }`],
  ["long camelCase identifiers", "src/a.ts", `export function resolveConfigurationFromEnvironmentVariablesAndDefaults() {}`],
  ["base64 of plain text", "src/a.ts", `const hello = "SGVsbG8gd29ybGQsIHRoaXMgaXMgYmFzZTY0IHRleHQ=";`],
  ["semver ranges", "package.json", `{ "dependencies": { "zod": "^4.6.7", "openai": "6.49.0" } }`],
  ["method on an SG object", "src/a.ts", `SG.prototype.sendMailWithAttachmentsAndRetries = function () {};`],
  ["empty JSON api key", "config/app.json", `{ "api_key": "" }`],
  ["secret name, not value, in YAML", "k8s/deploy.yaml", `env:\n  - name: TOKEN\n    valueFrom:\n      secretKeyRef:\n        name: app-secrets\n        key: token\n`],
  ["test fixture token in code", "test/a.test.ts", `const token = "test-token";\nexpect(auth(token)).toBe(false);`],
  ["redacted value", "config/app.json", `{ "password": "********" }`],
  ["package named like a token", "package.json", `{ "dependencies": { "jsonwebtoken": "9.0.2", "csrf-token": "^1.2.0" } }`],
];

describe("secret rule set on a labelled corpus", () => {
  it("has at least 40 positives and 40 negatives", () => {
    expect(POSITIVES.length).toBeGreaterThanOrEqual(40);
    expect(NEGATIVES.length).toBeGreaterThanOrEqual(40);
  });

  it("reports precision and recall; both at least 0.95", () => {
    const missed = POSITIVES.filter(([, path, text]) => secretContentReason(text, path) === null).map(([name]) => name);
    const flagged = NEGATIVES.filter(([, path, text]) => secretContentReason(text, path) !== null).map(([name]) => name);
    const tp = POSITIVES.length - missed.length;
    const precision = tp / (tp + flagged.length);
    const recall = tp / POSITIVES.length;
    console.info(`secret corpus: ${POSITIVES.length} positives, ${NEGATIVES.length} negatives; precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`);
    expect({ missed, flagged }).toEqual({ missed: [], flagged: [] });
    expect(precision).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });
});
