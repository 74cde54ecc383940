import type { SwarmEvent } from "../events/index.js";
import type { Reporter, TextSink } from "./types.js";

/** `--json`: one event per line and nothing else, so `jq` and log shippers can read stdout as is. */
export function createNdjsonReporter(options: { out: TextSink }): Reporter {
  return {
    onEvent(event: SwarmEvent) {
      // JSON.stringify escapes CR, LF and other control characters inside strings: one event, one line.
      options.out.write(JSON.stringify(event) + "\n");
    },
    close: () => Promise.resolve(),
  };
}
