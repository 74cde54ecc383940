// Rules gitleaks does not carry, or carries too narrowly for how keys show up in source. Pure data.
//
// - sk- keys: gitleaks only knows OpenAI keys with the `T3BlbkFJ` marker. DeepSeek (`sk-` + 32 lowercase hex),
//   Moonshot/Kimi (`sk-` + 48 base62), Anthropic, and any all-lowercase `sk-` key share one shape: a random
//   run of 20+ characters with digits. Kebab-case words (`sk-learn-model-selection`) have no digits.
// - AWS: gitleaks requires base32 after the prefix; keys pasted into fixtures often are not, and a false
//   positive here only keeps a file out.
// - GitHub fine-grained tokens and Google API keys: gitleaks requires an exact length or a terminator that
//   query strings (`key=AIza…&q=1`) do not have.
// - Private-key headers alone (a truncated block still leaks the key's start), GCP service-account JSON,
//   Azure storage keys and URLs carrying a password: gitleaks has none of these in this form.

export interface OwnRule {
  id: string;
  kind: string;
  /** Lower-case literals; the regex runs only when the lower-cased text contains one. */
  keywords: readonly string[];
  /** Global JavaScript regex. */
  pattern: RegExp;
  /** Vetoes a match; the matched text never leaves the secrets folder. */
  accept?: (match: RegExpExecArray) => boolean;
}

const PLACEHOLDER_PASSWORDS = new Set(["pass", "password", "passwd", "secret", "changeme", "changeit", "example", "test", "user", "pwd", "x", "xxx", "xxxx", "****", "***"]);
const LOCAL_HOSTS = /^(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\]|::1|db|database|postgres|mysql|redis|mongo|host|hostname|example\.(?:com|org|net)|[\w.-]+\.example(?:\.com)?|[\w.-]+\.(?:test|invalid|local|localhost))$/i;

function looksLikePlaceholder(value: string): boolean {
  const v = value.toLowerCase();
  return (
    PLACEHOLDER_PASSWORDS.has(v) ||
    /^[$%{<*x.]/.test(v) ||
    /^(.)\1*$/.test(v) ||
    /your|example|placeholder|dummy|fake|redacted/.test(v)
  );
}

export const OWN_RULES: readonly OwnRule[] = [
  {
    id: "private-key-header",
    kind: "a private key",
    keywords: ["private key"],
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g,
  },
  {
    id: "aws-access-key-id",
    kind: "an AWS access key",
    keywords: ["akia", "asia", "abia", "acca"],
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    accept: (m) => !m[0].endsWith("EXAMPLE"),
  },
  {
    id: "aws-secret-access-key",
    kind: "an AWS secret access key",
    keywords: ["aws_secret", "secretaccesskey", "secret_access_key", "aws-secret"],
    pattern: /(?:aws_?secret_?(?:access_?)?key|secretAccessKey)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    accept: (m) => /\d/.test(m[1]!) && /[A-Z]/.test(m[1]!) && /[a-z]/.test(m[1]!),
  },
  {
    id: "sk-api-key",
    kind: "an API secret key (sk-...)",
    keywords: ["sk-"],
    pattern: /(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\d\d-)?([A-Za-z0-9_-]{20,})/g,
    accept: (m) => /\d/.test(m[1]!) && /[A-Za-z]/.test(m[1]!) && shannonEntropy(m[1]!) >= 3,
  },
  {
    id: "github-token",
    kind: "a GitHub token",
    keywords: ["ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_"],
    pattern: /(?<![A-Za-z0-9_])(?:gh[opsur]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})/g,
  },
  {
    id: "google-api-key",
    kind: "a Google API key",
    keywords: ["aiza"],
    pattern: /(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/g,
  },
  {
    id: "gcp-service-account",
    kind: "a GCP service-account key",
    keywords: ["service_account"],
    pattern: /"type"\s*:\s*"service_account"/g,
  },
  {
    id: "azure-storage-key",
    kind: "an Azure storage key",
    keywords: ["accountkey=", "sharedaccesskey="],
    pattern: /(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{40,}={0,2})/g,
  },
  {
    id: "sendgrid-key",
    kind: "a SendGrid API key",
    keywords: ["sg."],
    pattern: /(?<![A-Za-z0-9])SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{30,50}(?![A-Za-z0-9_-])/g,
  },
  {
    id: "url-with-password",
    kind: "a URL with a password",
    keywords: ["://"],
    pattern: /\b[a-z][a-z0-9+.-]{1,20}:\/\/([^\s/:@'"`]{1,64}):([^\s/@'"`]{3,128})@([^\s/:'"`?#@]+)/gi,
    accept: (m) => !looksLikePlaceholder(m[2]!) && !LOCAL_HOSTS.test(m[3]!),
  },
];

/** Shannon entropy in bits per character (what gitleaks' `entropy` floors measure). */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

export { looksLikePlaceholder };
