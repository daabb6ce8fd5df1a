import { z } from 'zod';
import { contracts } from '../../contracts/index.js';
import type { JsonSchema, OpSpec } from './types.js';

/** Turns every operation contract into an OpSpec: the input schema becomes JSON Schema (the input side of transforms). */
export function deriveSpecs(): OpSpec[] {
  return contracts.map((c) => ({
    name: c.name,
    endpoint: c.endpoint,
    summary: c.summary,
    description: c.description,
    access: c.access,
    hints: c.hints,
    input: z.toJSONSchema(c.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema,
  }));
}
