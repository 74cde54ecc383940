/**
 * Replaces the values of secret-looking environment variables (…KEY, …TOKEN, …SECRET) in text.
 * A last line of defence for error messages: the key itself is never put in a message on purpose.
 */
export function createRedactor(env: NodeJS.ProcessEnv, extraNames: string[] = []): (text: string) => string {
  const secrets = Object.entries(env)
    .filter(([name, value]) => value && value.length >= 8 && (/(KEY|TOKEN|SECRET|PASSWORD)$/i.test(name) || extraNames.includes(name)))
    .map(([, value]) => value!)
    .sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  return (text) => secrets.reduce((acc, secret) => acc.split(secret).join("<redacted>"), text);
}
