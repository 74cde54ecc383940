export { createOpenAIProvider } from "./openai-provider.js";
export { preflight } from "./preflight.js";
export { StepFailure } from "./provider.js";
export type { ChatMessage, ChatProvider, ChatRequest, ChatResponse, RateLimitInfo, StreamProgress } from "./provider.js";
export { insecureTransportReason } from "./transport.js";
