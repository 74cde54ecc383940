import { z } from "zod";
import { configSchema } from "./schema.js";

/** The JSON schema of swarm.config.json, for editors; committed as swarm.config.schema.json. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  const properties = { $schema: { type: "string" }, ...(schema.properties as Record<string, unknown>) };
  return { ...schema, title: "refactor-swarm config", properties };
}
