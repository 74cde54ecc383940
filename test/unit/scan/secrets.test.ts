import { describe, expect, it } from "vitest";
import { secretContentReason, secretNameReason } from "../../../src/scan/secrets.js";

// Fake keys are assembled at run time so that this file itself does not look like it leaks secrets
// to secret scanners (ours or GitHub's push protection).
const rep = (s: string, n: number) => s.repeat(n);
const fake = {
  aws: "AKIA" + "Q3EGRT7XWZ2PLM4N",
  awsSession: "ASIA" + "Z7Q2WX4RT9PLMN3K",
  awsDocsExample: "AKIA" + "IOSFODNN7EXAMPLE",
  ghp: "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
  ghs: "ghs_" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa9",
  githubPat: "github_pat_" + "11ABCDEFG0" + rep("aB3dE5fG7h", 7),
  slack: "xoxb-" + "1234567890-0987654321-" + "AbCdEfGhIjKlMnOpQrStUvWx",
  stripe: "sk_live_" + "51HcX2aB3dE5fG7hJ9kL1mN3",
  google: "AIza" + "SyD3fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5b",
  openai: "sk-" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1h",
  openaiProject: "sk-proj-" + "Ab3De5Fg7Hj9Kl1Mn3Pq5Rs7Tu9Vw1Xy3Za5_Bc7De9Fg-1Hj3Kl5Mn7",
  anthropic: "sk-ant-api03-" + "Ab3De5Fg7Hj9Kl1Mn3Pq5Rs7Tu9Vw1Xy3",
  npm: "npm_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
  gitlab: "glpat-" + "aB3dE5fG7hJ9kL1mN3pQ",
  pemHeader: "-----BEGIN " + "RSA PRIVATE KEY-----",
  opensshHeader: "-----BEGIN " + "OPENSSH PRIVATE KEY-----",
  pkcs8Header: "-----BEGIN " + "PRIVATE KEY-----",
  encryptedHeader: "-----BEGIN " + "ENCRYPTED PRIVATE KEY-----",
  pgpHeader: "-----BEGIN " + "PGP PRIVATE KEY BLOCK-----",
  jwt:
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." +
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ." +
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
};

describe("secretNameReason", () => {
  const secretNames: [string, RegExp][] = [
    [".env", /environment file/],
    ["config/.env", /environment file/],
    [".env.local", /environment file/],
    [".env.production", /environment file/],
    [".ENV", /environment file/],
    ["deploy/prod.env", /environment file/],
    ["certs/server.pem", /PEM/],
    ["certs/server.key", /private key/],
    ["store.p12", /PKCS#12/],
    ["store.pfx", /PKCS#12/],
    ["android/release.keystore", /key store/],
    ["release.jks", /key store/],
    [".ssh/id_rsa", /SSH private key/],
    ["id_ed25519", /SSH private key/],
    ["id_dsa", /SSH private key/],
    ["id_ecdsa", /SSH private key/],
    ["id_rsa_backup", /SSH private key/],
    [".npmrc", /npm/],
    ["packages/a/.npmrc", /npm/],
    [".netrc", /netrc/],
    [".pgpass", /PostgreSQL/],
    [".pypirc", /PyPI/],
    [".git-credentials", /git credentials/],
    [".aws/credentials", /credentials file/],
    ["credentials.json", /credentials/],
    ["config/credentials.yml", /credentials/],
    ["secrets.json", /secrets/],
    ["config/secrets.yaml", /secrets/],
    ["src/secrets.js", /secrets/],
    ["service-account.json", /service-account/],
    ["gcp/service-account-prod.json", /service-account/],
    ["service_account_key.json", /service-account/],
    ["infra/terraform.tfstate", /Terraform/],
    ["infra/terraform.tfstate.backup", /Terraform/],
  ];
  it.each(secretNames)("%s is a secret name", (path, reason) => {
    expect(secretNameReason(path)).toMatch(reason);
  });

  const ordinaryNames = [
    ".env.example",
    ".env.sample",
    ".env.template",
    ".env.dist",
    ".env.local.example",
    "src/env.ts",
    "src/environment.js",
    "id_rsa.pub",
    ".ssh/id_ed25519.pub",
    "src/auth/credentials.ts",
    "src/keys.js",
    "src/monkey.js",
    "src/keyboard.ts",
    "docs/secrets-management.md",
    "src/secretsManager.ts",
    "package.json",
    "README.md",
    "src/service.json",
  ];
  it.each(ordinaryNames)("%s is not a secret name", (path) => {
    expect(secretNameReason(path)).toBeNull();
  });
});

describe("secretContentReason", () => {
  const secrets: [string, string, RegExp][] = [
    ["RSA private key", `const a = 1;\n${fake.pemHeader}\nMIIEow...\n`, /a private key \(line 2\)/],
    ["OpenSSH private key", `${fake.opensshHeader}\n`, /a private key \(line 1\)/],
    ["PKCS#8 private key", `x\ny\nz\n${fake.pkcs8Header}`, /a private key \(line 4\)/],
    ["encrypted private key", fake.encryptedHeader, /a private key/],
    ["PGP private key", fake.pgpHeader, /a private key/],
    ["private key inside JSON", `{"private_key": "${fake.pkcs8Header}\\nMIIE"}`, /a private key/],
    ["AWS access key", `const id = "${fake.aws}";`, /an AWS access key \(line 1\)/],
    ["AWS session key", `\n\nkey: ${fake.awsSession}`, /an AWS access key \(line 3\)/],
    ["GitHub classic token", `token = '${fake.ghp}'`, /a GitHub token/],
    ["GitHub app token", `GH=${fake.ghs}`, /a GitHub token/],
    ["GitHub fine-grained token", `"${fake.githubPat}"`, /a GitHub token/],
    ["GitLab token", `"${fake.gitlab}"`, /a GitLab token/],
    ["Slack bot token", `slack("${fake.slack}")`, /a Slack token/],
    ["Stripe live key", `stripe(${JSON.stringify(fake.stripe)})`, /a Stripe secret key/],
    ["Stripe test key", `stripe("sk_test_" + "51HcX2aB3dE5fG7hJ9kL1mN3")`.replace('" + "', ""), /a Stripe secret key/],
    ["Google API key", `key=${fake.google}&q=1`, /a Google API key/],
    ["OpenAI key", `new OpenAI({ apiKey: "${fake.openai}" })`, /an API secret key/],
    ["OpenAI project key", `OPENAI_API_KEY=${fake.openaiProject}`, /an API secret key/],
    ["Anthropic key", `"${fake.anthropic}"`, /an API secret key/],
    ["npm token", `//registry.npmjs.org/:_authToken=${fake.npm}`, /an npm token/],
  ];
  it.each(secrets)("finds %s", (_name, text, reason) => {
    expect(secretContentReason(text)).toMatch(reason);
  });

  it("reports the first secret in the file, whatever its kind", () => {
    const text = `a\n${fake.ghp}\n${fake.aws}\n`;
    expect(secretContentReason(text)).toBe("contains what looks like a GitHub token (line 2)");
  });

  it("never includes the matched text in the reason", () => {
    for (const [, text] of secrets) {
      const reason = secretContentReason(text) ?? "";
      for (const value of Object.values(fake)) expect(reason).not.toContain(value.slice(0, 12));
    }
  });

  const ordinary: [string, string][] = [
    ["sk- in prose", "// the sk- prefix marks secret keys; never commit one\nconst prefix = 'sk-';"],
    ["short sk- string", `const k = "sk-test";`],
    ["kebab-case sk- identifier", `import x from "sk-learn-model-selection-helpers";`],
    ["lowercase sk- slug", `const slug = "sk-abcdefghijklmnopqrstuvwxyz";`],
    ["identifier containing sk-", `const task-abcDEF1234567890abcdefGHIJ = 1;`],
    ["Stripe publishable key", `stripe("pk_live_51HcX2aB3dE5fG7hJ9kL1mN3")`],
    ["AWS docs example key", `const id = "${fake.awsDocsExample}";`],
    ["AKIA inside a longer word", `const x = "XAKIA${"Q3EGRT7XWZ2PLM4N"}";`],
    ["public key block", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"],
    ["certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n"],
    ["the jwt.io sample JWT", `const token = "${fake.jwt}";`],
    ["password in a test connection string", `const url = "postgres://user:secret@localhost:5432/db";`],
    ["ghp_ prefix alone", `if (token.startsWith("ghp_")) return "classic";`],
    ["xox prefix alone", `const SLACK_PREFIXES = ["xoxb-", "xoxp-"];`],
    ["AIza prefix alone", `if (key.startsWith("AIza")) {}`],
    ["hex digest", `const sha = "3f786850e387550fdab836ed7e6dc881de23001b";`],
    ["empty", ""],
  ];
  it.each(ordinary)("ignores %s", (_name, text) => {
    expect(secretContentReason(text)).toBeNull();
  });
});
