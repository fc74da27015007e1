import { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import type { ValidationCode } from '#libs/contract';
import { ValidationFailedError } from '#libs/errors';

/**
 * Validates a body or query with a zod schema; every problem is named in one 400. Its code is VALIDATION_FAILED, or
 * the narrower code a rule put in its issue's params (e.g. POST_TOO_LONG) when that rule is the only one broken.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const { issues } = result.error;
  const problems = issues.map((issue) =>
    issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
  const codes = new Set(
    issues.map((issue): ValidationCode => (issue.code === 'custom' && issue.params?.code) || 'VALIDATION_FAILED'),
  );
  throw new ValidationFailedError(problems.join('; '), codes.size === 1 ? [...codes][0] : 'VALIDATION_FAILED');
}

export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    return parseWith(this.schema, value);
  }
}
