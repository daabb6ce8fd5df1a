import type { z } from 'zod';
import { AppError, reasons, type Reason } from '../../contracts/errors.js';

/** The reason a schema's own check names (e.g. INVALID_JSONPATH), else the general INVALID_INPUT. */
function reasonOf(issues: z.core.$ZodIssue[]): Reason {
  for (const i of issues) {
    const r = i.code === 'custom' ? (i.params?.reason as string | undefined) : undefined;
    if (r && r in reasons && reasons[r as Reason].code === 'VALIDATION_ERROR') return r as Reason;
  }
  return 'INVALID_INPUT';
}

/** Parses input with its schema; on failure names every field and rule that failed. */
export function parseInput<S extends z.ZodType>(schema: S, params: unknown): z.output<S> {
  const result = schema.safeParse(params ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const field = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') return `unknown parameter${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}${field ? ` in ${field}` : ''}`;
    return field ? `${field}: ${i.message}` : i.message;
  });
  throw new AppError('VALIDATION_ERROR', problems.join('; '), {
    reason: reasonOf(result.error.issues),
    issues: result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
  });
}
