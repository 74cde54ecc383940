// Experiment only (bench): a minimal fetch on node:http with a keep-alive agent, to measure how much of
// the per-step CPU is undici's fetch rather than the openai SDK or the engine. Installed as
// globalThis.fetch in a bench child before the provider builds its client; src/ is not changed.
import http from "node:http";

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

export const nodeHttpFetch: typeof fetch = (input, init = {}) =>
  new Promise<Response>((resolve, reject) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    const body = typeof init.body === "string" ? init.body : undefined;
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    const req = http.request(
      { agent, method: init.method ?? "GET", hostname: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, headers, signal: init.signal ?? undefined },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const responseHeaders = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") responseHeaders.set(k, v);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", headers: responseHeaders }));
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
