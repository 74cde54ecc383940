// Generated from gitleaks v8.30.1, config/gitleaks.toml (MIT licence, https://github.com/gitleaks/gitleaks),
// tag v8.30.1. Regexes, keywords, entropy floors and allow-list regexes are copied verbatim in Go (RE2) syntax;
// go-regex.ts translates them for Node 20 (which has no inline `(?i)` groups), and
// test/unit/secrets/gitleaks-rules.test.ts holds a positive and a negative per rule. Only the rules for
// credential kinds this tool is likely to meet are carried (51 of 222); `kind` is ours, for reasons shown to users.
// The generic-api-key rule is not carried: on source code it flags ordinary identifiers (config-literal.ts covers
// literal passwords in config files instead).

export interface GitleaksRule {
  id: string;
  kind: string;
  regex: string;
  keywords: readonly string[];
  entropy?: number;
  secretGroup?: number;
  allow?: readonly string[];
}

export const GITLEAKS_RULES: readonly GitleaksRule[] = [
  { id: "anthropic-admin-api-key", kind: "an Anthropic admin key", regex: "\\b(sk-ant-admin01-[a-zA-Z0-9_\\-]{93}AA)(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["sk-ant-admin01"] },
  { id: "anthropic-api-key", kind: "an Anthropic API key", regex: "\\b(sk-ant-api03-[a-zA-Z0-9_\\-]{93}AA)(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["sk-ant-api03"] },
  { id: "aws-access-token", kind: "an AWS access key", regex: "\\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\\b", keywords: ["a3t", "akia", "asia", "abia", "acca"], entropy: 3, allow: [".+EXAMPLE$"] },
  { id: "azure-ad-client-secret", kind: "an Azure AD client secret", regex: "(?:^|[\\\\'\"\\x60\\s>=:(,)])([a-zA-Z0-9_~.]{3}\\dQ~[a-zA-Z0-9_~.-]{31,34})(?:$|[\\\\'\"\\x60\\s<),])", keywords: ["q~"], entropy: 3 },
  { id: "gcp-api-key", kind: "a Google API key", regex: "\\b(AIza[\\w-]{35})(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["aiza"], entropy: 4, allow: ["AIzaSyabcdefghijklmnopqrstuvwxyz1234567", "AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs", "AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM", "AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU", "AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0", "AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A", "AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c", "AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4", "AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY", "AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM", "AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ", "AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g", "AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU", "AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw", "AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE", "AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY"] },
  { id: "github-app-token", kind: "a GitHub token", regex: "(?:ghu|ghs)_[0-9a-zA-Z]{36}", keywords: ["ghu_", "ghs_"], entropy: 3 },
  { id: "github-fine-grained-pat", kind: "a GitHub token", regex: "github_pat_\\w{82}", keywords: ["github_pat_"], entropy: 3 },
  { id: "github-oauth", kind: "a GitHub token", regex: "gho_[0-9a-zA-Z]{36}", keywords: ["gho_"], entropy: 3 },
  { id: "github-pat", kind: "a GitHub token", regex: "ghp_[0-9a-zA-Z]{36}", keywords: ["ghp_"], entropy: 3 },
  { id: "github-refresh-token", kind: "a GitHub token", regex: "ghr_[0-9a-zA-Z]{36}", keywords: ["ghr_"], entropy: 3 },
  { id: "gitlab-pat", kind: "a GitLab token", regex: "glpat-[\\w-]{20}", keywords: ["glpat-"], entropy: 3 },
  { id: "gitlab-pat-routable", kind: "a GitLab token", regex: "\\bglpat-[0-9a-zA-Z_-]{27,300}\\.[0-9a-z]{2}[0-9a-z]{7}\\b", keywords: ["glpat-"], entropy: 4 },
  { id: "gitlab-ptt", kind: "a GitLab token", regex: "glptt-[0-9a-f]{40}", keywords: ["glptt-"], entropy: 3 },
  { id: "gitlab-deploy-token", kind: "a GitLab token", regex: "gldt-[0-9a-zA-Z_\\-]{20}", keywords: ["gldt-"], entropy: 3 },
  { id: "gitlab-runner-authentication-token", kind: "a GitLab token", regex: "glrt-[0-9a-zA-Z_\\-]{20}", keywords: ["glrt-"], entropy: 3 },
  { id: "gitlab-rrt", kind: "a GitLab token", regex: "GR1348941[\\w-]{20}", keywords: ["gr1348941"], entropy: 3 },
  { id: "jwt", kind: "a JSON Web Token", regex: "\\b(ey[a-zA-Z0-9]{17,}\\.ey[a-zA-Z0-9\\/\\\\_-]{17,}\\.(?:[a-zA-Z0-9\\/\\\\_-]{10,}={0,2})?)(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["ey"], entropy: 3 },
  { id: "npm-access-token", kind: "an npm token", regex: "(?i)\\b(npm_[a-z0-9]{36})(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["npm_"], entropy: 2 },
  { id: "openai-api-key", kind: "an OpenAI API key", regex: "\\b(sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})\\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["t3blbkfj"], entropy: 3 },
  { id: "private-key", kind: "a private key", regex: "(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\\s\\S-]{64,}?KEY(?: BLOCK)?-----", keywords: ["-----begin"] },
  { id: "sendgrid-api-token", kind: "a SendGrid API key", regex: "\\b(SG\\.(?i)[a-z0-9=_\\-\\.]{66})(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["sg."], entropy: 2 },
  { id: "slack-app-token", kind: "a Slack token", regex: "(?i)xapp-\\d-[A-Z0-9]+-\\d+-[a-z0-9]+", keywords: ["xapp"], entropy: 2 },
  { id: "slack-bot-token", kind: "a Slack token", regex: "xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*", keywords: ["xoxb"], entropy: 3 },
  { id: "slack-config-access-token", kind: "a Slack token", regex: "(?i)xoxe.xox[bp]-\\d-[A-Z0-9]{163,166}", keywords: ["xoxe.xoxb-", "xoxe.xoxp-"], entropy: 2 },
  { id: "slack-config-refresh-token", kind: "a Slack token", regex: "(?i)xoxe-\\d-[A-Z0-9]{146}", keywords: ["xoxe-"], entropy: 2 },
  { id: "slack-legacy-bot-token", kind: "a Slack token", regex: "xoxb-[0-9]{8,14}-[a-zA-Z0-9]{18,26}", keywords: ["xoxb"], entropy: 2 },
  { id: "slack-legacy-token", kind: "a Slack token", regex: "xox[os]-\\d+-\\d+-\\d+-[a-fA-F\\d]+", keywords: ["xoxo", "xoxs"], entropy: 2 },
  { id: "slack-legacy-workspace-token", kind: "a Slack token", regex: "xox[ar]-(?:\\d-)?[0-9a-zA-Z]{8,48}", keywords: ["xoxa", "xoxr"], entropy: 2 },
  { id: "slack-user-token", kind: "a Slack token", regex: "xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}", keywords: ["xoxp-", "xoxe-"], entropy: 2 },
  { id: "slack-webhook-url", kind: "a Slack webhook URL", regex: "(?:https?://)?hooks.slack.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}", keywords: ["hooks.slack.com"] },
  { id: "stripe-access-token", kind: "a Stripe secret key", regex: "\\b((?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99})(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["sk_test", "sk_live", "sk_prod", "rk_test", "rk_live", "rk_prod"], entropy: 2 },
  { id: "huggingface-access-token", kind: "a Hugging Face token", regex: "\\b(hf_(?i:[a-z]{34}))(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["hf_"], entropy: 2 },
  { id: "perplexity-api-key", kind: "a Perplexity API key", regex: "\\b(pplx-[a-zA-Z0-9]{48})(?:[\\x60'\"\\s;]|\\\\[nr]|$|\\b)", keywords: ["pplx-"], entropy: 4 },
  { id: "digitalocean-pat", kind: "a DigitalOcean token", regex: "\\b(dop_v1_[a-f0-9]{64})(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["dop_v1_"], entropy: 3 },
  { id: "digitalocean-access-token", kind: "a DigitalOcean token", regex: "\\b(doo_v1_[a-f0-9]{64})(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["doo_v1_"], entropy: 3 },
  { id: "heroku-api-key-v2", kind: "a Heroku API key", regex: "\\b((HRKU-AA[0-9a-zA-Z_-]{58}))(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["hrku-aa"], entropy: 4 },
  { id: "shopify-access-token", kind: "a Shopify token", regex: "shpat_[a-fA-F0-9]{32}", keywords: ["shpat_"], entropy: 2 },
  { id: "twilio-api-key", kind: "a Twilio API key", regex: "SK[0-9a-fA-F]{32}", keywords: ["sk"], entropy: 3 },
  { id: "databricks-api-token", kind: "a Databricks token", regex: "\\b(dapi[a-f0-9]{32}(?:-\\d)?)(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["dapi"], entropy: 3 },
  { id: "doppler-api-token", kind: "a Doppler token", regex: "dp\\.pt\\.(?i)[a-z0-9]{43}", keywords: ["dp.pt."], entropy: 2 },
  { id: "pypi-upload-token", kind: "a PyPI token", regex: "pypi-AgEIcHlwaS5vcmc[\\w-]{50,1000}", keywords: ["pypi-ageichlwas5vcmc"], entropy: 3 },
  { id: "hashicorp-tf-api-token", kind: "a Terraform Cloud token", regex: "(?i)[a-z0-9]{14}\\.(?-i:atlasv1)\\.[a-z0-9\\-_=]{60,70}", keywords: ["atlasv1"], entropy: 3.5 },
  { id: "postman-api-token", kind: "a Postman API key", regex: "\\b(PMAK-(?i)[a-f0-9]{24}\\-[a-f0-9]{34})(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["pmak-"], entropy: 3 },
  { id: "linear-api-key", kind: "a Linear API key", regex: "lin_api_(?i)[a-z0-9]{40}", keywords: ["lin_api_"], entropy: 2 },
  { id: "grafana-service-account-token", kind: "a Grafana token", regex: "(?i)\\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["glsa_"], entropy: 3 },
  { id: "age-secret-key", kind: "an age secret key", regex: "AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", keywords: ["age-secret-key-1"] },
  { id: "pulumi-api-token", kind: "a Pulumi token", regex: "\\b(pul-[a-f0-9]{40})(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["pul-"], entropy: 2 },
  { id: "dynatrace-api-token", kind: "a Dynatrace token", regex: "dt0c01\\.(?i)[a-z0-9]{24}\\.[a-z0-9]{64}", keywords: ["dt0c01."], entropy: 4 },
  { id: "flyio-access-token", kind: "a Fly.io token", regex: "\\b((?:fo1_[\\w-]{43}|fm1[ar]_[a-zA-Z0-9+\\/]{100,}={0,3}|fm2_[a-zA-Z0-9+\\/]{100,}={0,3}))(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["fo1_", "fm1", "fm2_"], entropy: 4 },
  { id: "vault-service-token", kind: "a Vault token", regex: "\\b((?:hvs\\.[\\w-]{90,120}|s\\.(?i:[a-z0-9]{24})))(?:[\\x60'\"\\s;]|\\\\[nr]|$)", keywords: ["hvs.", "s."], entropy: 3.5, allow: ["s\\.[A-Za-z]{24}"] },
];
