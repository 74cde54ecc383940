import type { ResolvedConfig } from "../config/index.js";
import { SwarmError, SwarmErrorCode } from "../core/index.js";
import { StepFailure, type ChatProvider } from "./provider.js";

/** One cheap request before any task is queued: a wrong URL or key fails here, fast. */
export async function preflight(provider: ChatProvider, config: ResolvedConfig): Promise<void> {
  try {
    await provider.preflight({ timeoutMs: Math.min(config.timeoutMs, 15_000) });
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    if (error.failure === "fatal-run") throw new SwarmError(SwarmErrorCode.AuthRejected, error.info.message, { hint: "nothing was sent besides one preflight request" });
    throw new SwarmError(SwarmErrorCode.EndpointUnreachable, `cannot reach ${config.provider.baseURL}: ${error.info.message}`, {
      hint: "check provider.baseURL (or --base-url); no task was started",
    });
  }
}
