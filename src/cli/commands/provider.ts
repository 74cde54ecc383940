import { SwarmError, SwarmErrorCode } from "../../core/index.js";
import type { ResolvedConfig } from "../../config/index.js";
import { type ChatProvider, createOpenAIProvider, insecureTransportReason } from "../../llm/index.js";

/**
 * Builds the provider once the config names the key's variable; a missing key is a usage error
 * before any request. `hint` says what the user can do without one.
 */
export function providerFromEnv(env: NodeJS.ProcessEnv, hint: string, options: { allowInsecureHttp?: boolean } = {}): (config: ResolvedConfig) => ChatProvider {
  return (config) => {
    const insecure = options.allowInsecureHttp ? null : insecureTransportReason(config.provider.baseURL);
    if (insecure) throw new SwarmError(SwarmErrorCode.Usage, insecure, { hint: "use https://, or pass --allow-insecure-http if this network is trusted" });
    const envName = config.provider.apiKeyEnv;
    const apiKey = env[envName];
    if (!apiKey) throw new SwarmError(SwarmErrorCode.NoApiKey, `no API key: set ${envName} (the variable named by provider.apiKeyEnv)`, { hint });
    return createOpenAIProvider({
      baseURL: config.provider.baseURL,
      apiKey,
      apiKeyEnv: envName,
      supportsThinking: config.provider.supportsThinking ?? config.provider.model.startsWith("kimi"),
    });
  };
}
