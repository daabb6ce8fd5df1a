import type { Access } from '../../contracts/define.js';

/** A JSON Schema fragment, as produced by zod's toJSONSchema (input side). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  [k: string]: unknown;
}

/** What the CLI needs to know about one operation contract (derived from contracts, never written by hand). */
export interface OpSpec {
  name: string;
  endpoint: 'memory' | 'user';
  summary: string;
  description: string;
  access: Access;
  hints: { readOnly: boolean; destructive: boolean; idempotent: boolean };
  input: JsonSchema;
}
