export { scanRepo } from "./scan.js";
export type { ScanResult } from "./scan.js";
export { secretReason } from "./secrets.js";
