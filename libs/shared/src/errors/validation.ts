import { type ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError } from './app-error.js';
import { ErrorCode } from './error-code.js';

export interface FieldProblem {
  field: string;
  problems: string[];
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/**
 * The validation pipe every app uses: unknown fields are refused, and a failure is an
 * {@link AppError} with code `validation_failed` that names each bad field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => {
      const fields = flattenValidationErrors(errors);
      const summary = fields.map((f) => f.problems.join('; ')).join('; ');
      return new AppError(ErrorCode.ValidationFailed, summary || 'The request is not valid', { fields });
    },
  });
}
