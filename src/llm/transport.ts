// Whether an endpoint URL would carry the API key in clear. Pure.

// Loopback names and addresses: the key never leaves the machine, so plain http is fine there.
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|[\w-]+\.localhost)$/i;

/** Why `baseURL` may not be used without --allow-insecure-http, or null when it may. */
export function insecureTransportReason(baseURL: string): string | null {
  if (!URL.canParse(baseURL)) return null;
  const url = new URL(baseURL);
  if (url.protocol !== "http:" || LOOPBACK.test(url.hostname)) return null;
  return `refusing to send the API key in clear text to ${url.protocol}//${url.host} (plain http:// to a host that is not this machine)`;
}
