import { SwarmError } from "../../core/errors.js";
import type { ResolvedConfig } from "../../config/schema.js";
import { createOpenAIProvider } from "../../llm/openai-provider.js";
import type { ChatProvider } from "../../llm/provider.js";

/**
 * Builds the provider once the config names the key's variable; a missing key is a usage error
 * before any request. `hint` says what the user can do without one.
 */
export function providerFromEnv(env: NodeJS.ProcessEnv, hint: string): (config: ResolvedConfig) => ChatProvider {
  return (config) => {
    const envName = config.provider.apiKeyEnv;
    const apiKey = env[envName];
    if (!apiKey) throw new SwarmError("SWARM_NO_API_KEY", `no API key: set ${envName} (the variable named by provider.apiKeyEnv)`, { hint });
    return createOpenAIProvider({
      baseURL: config.provider.baseURL,
      apiKey,
      apiKeyEnv: envName,
      supportsThinking: config.provider.supportsThinking ?? config.provider.model.startsWith("kimi"),
    });
  };
}
