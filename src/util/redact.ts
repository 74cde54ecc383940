/**
 * Replaces the values of secret-looking environment variables (…KEY, …TOKEN, …SECRET) in text.
 * A last line of defence for error messages: the key itself is never put in a message on purpose.
 */
export function createRedactor(env: NodeJS.ProcessEnv, extraNames: string[] = []): (text: string) => string {
  return withSecretsOf(env, extraNames);
}

/**
 * `https://user:pass@host` → `https://user:<redacted>@host`, and a bare `https://token@host` → `https://<redacted>@host`:
 * a URL given with credentials (often a --base-url) is shown without them wherever it is printed or stored.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"`<>]+)(?::([^\s/@'"`<>]*))?@/gi, (whole, scheme: string, user: string, pass: string | undefined) =>
    pass === undefined ? `${scheme}<redacted>@` : `${scheme}${user}:<redacted>@`,
  );
}

function withSecretsOf(env: NodeJS.ProcessEnv, extraNames: string[]): (text: string) => string {
  const secrets = Object.entries(env)
    .filter(([name, value]) => value && value.length >= 8 && (/(KEY|TOKEN|SECRET|PASSWORD)$/i.test(name) || extraNames.includes(name)))
    .map(([, value]) => value!)
    .sort((a, b) => b.length - a.length);
  return (text) => redactUrlCredentials(secrets.reduce((acc, secret) => acc.split(secret).join("<redacted>"), text));
}
