// Fake credentials for the secret tests, assembled at run time from a seeded PRNG so that no test file
// holds a key-shaped literal (for GitHub push protection and for our own scan of this repository).
import { mulberry32 } from "../../support/seeded-random.js";

const rng = mulberry32(14);
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const pick = (n: number, alphabet = ALNUM) => Array.from({ length: n }, () => alphabet[Math.floor(rng() * alphabet.length)]).join("");
export const hex = (n: number) => pick(n, "0123456789abcdef");
export const digits = (n: number) => pick(n, "0123456789");
const b64url = (text: string) => Buffer.from(text).toString("base64url");

/** One positive sample per carried gitleaks rule, each in a realistic context. */
export const GITLEAKS_SAMPLES: Record<string, string> = {
  "anthropic-admin-api-key": `key = "sk-ant-admin01-${pick(93, ALNUM + "_-")}AA"`,
  "anthropic-api-key": `ANTHROPIC_API_KEY=sk-ant-api03-${pick(93)}AA\n`,
  "aws-access-token": `id = "AKIA${pick(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}"`,
  "azure-ad-client-secret": `secret: "ab1${digits(1)}Q~${pick(32)}"`,
  "gcp-api-key": `maps("AIza${pick(35)}");`,
  "github-app-token": `ghs_${pick(36)}`,
  "github-fine-grained-pat": `github_pat_${pick(82)}`,
  "github-oauth": `gho_${pick(36)}`,
  "github-pat": `ghp_${pick(36)}`,
  "github-refresh-token": `ghr_${pick(36)}`,
  "gitlab-pat": `glpat-${pick(20)}`,
  "gitlab-pat-routable": `token glpat-${pick(30)}.${pick(9, "abcdefghijklmnopqrstuvwxyz0123456789")} end`,
  "gitlab-ptt": `glptt-${hex(40)}`,
  "gitlab-deploy-token": `gldt-${pick(20)}`,
  "gitlab-runner-authentication-token": `glrt-${pick(20)}`,
  "gitlab-rrt": `GR1348941${pick(20)}`,
  jwt: `auth("${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"u-4821","exp":1900000000,"scope":"admin"}')}.${pick(43, ALNUM + "-_")}")`,
  "npm-access-token": `//registry.npmjs.org/:_authToken=npm_${pick(36)}\n`,
  "openai-api-key": `OPENAI_API_KEY="sk-proj-${pick(74, ALNUM + "_-")}T3BlbkFJ${pick(74, ALNUM + "_-")}"`,
  "private-key": `-----BEGIN RSA PRIVATE KEY-----\n${pick(64)}\n${pick(64)}\n-----END RSA PRIVATE KEY-----\n`,
  "sendgrid-api-token": `sg("SG.${pick(22)}.${pick(43)}")`,
  "slack-app-token": `xapp-1-A0${pick(8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}-${digits(13)}-${hex(64)}`,
  "slack-bot-token": `xoxb-${digits(12)}-${digits(13)}-${pick(24)}`,
  "slack-config-access-token": `xoxe.xoxp-1-${pick(164)}`,
  "slack-config-refresh-token": `xoxe-1-${pick(146)}`,
  "slack-legacy-bot-token": `xoxb-${digits(10)}-${pick(24)}`,
  "slack-legacy-token": `xoxs-${digits(4)}-${digits(4)}-${digits(4)}-${hex(64)}`,
  "slack-legacy-workspace-token": `xoxa-2-${pick(40)}`,
  "slack-user-token": `xoxp-${digits(12)}-${digits(12)}-${digits(12)}-${pick(32)}`,
  "slack-webhook-url": `https://hooks.slack.com/services/${pick(44)}`,
  "stripe-access-token": `stripe("sk_test_${pick(24)}")`,
  "huggingface-access-token": `HF_TOKEN=hf_${pick(34, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")}\n`,
  "perplexity-api-key": `pplx-${pick(48)}`,
  "digitalocean-pat": `dop_v1_${hex(64)}`,
  "digitalocean-access-token": `doo_v1_${hex(64)}`,
  "heroku-api-key-v2": `HRKU-AA${pick(58)}\n`,
  "shopify-access-token": `shpat_${hex(32)}`,
  "twilio-api-key": `SK${hex(32)}`,
  "databricks-api-token": `dapi${hex(32)}`,
  "doppler-api-token": `dp.pt.${pick(43)}`,
  "pypi-upload-token": `pypi-AgEIcHlwaS5vcmc${pick(60)}`,
  "hashicorp-tf-api-token": `${pick(14, "abcdefghij0123456789")}.atlasv1.${pick(64)}`,
  "postman-api-token": `PMAK-${hex(24)}-${hex(34)}\n`,
  "linear-api-key": `lin_api_${pick(40)}`,
  "grafana-service-account-token": `glsa_${pick(32)}_${hex(8)}\n`,
  "age-secret-key": `AGE-SECRET-KEY-1${pick(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L")}`,
  "pulumi-api-token": `pul-${hex(40)}\n`,
  "dynatrace-api-token": `dt0c01.${pick(24, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}.${pick(64, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}`,
  "flyio-access-token": `fo1_${pick(43)}\n`,
  "vault-service-token": `VAULT_TOKEN=hvs.${pick(100)}\n`,
};
