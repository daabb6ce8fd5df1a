import type { z } from 'zod';
import { AppError } from '../../contracts/errors.js';

/** Parses input with its schema; on failure names every field and rule that failed. */
export function parseInput<S extends z.ZodType>(schema: S, params: unknown): z.output<S> {
  const result = schema.safeParse(params ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const field = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') return `unknown parameter${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}${field ? ` in ${field}` : ''}`;
    return field ? `${field}: ${i.message}` : i.message;
  });
  throw new AppError('VALIDATION_ERROR', problems.join('; '), { issues: result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) });
}
