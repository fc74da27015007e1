import { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ValidationFailedError } from '#libs/errors';

/** Validates a body or query with a zod schema; every problem is named in one 400 VALIDATION_FAILED. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
  throw new ValidationFailedError(problems.join('; '));
}

export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    return parseWith(this.schema, value);
  }
}
