// Errors of the operator library: a shape, dtype or layout the operator cannot take, named with the fix.
import { RuntimeError } from '../runtime/errors';

export class OperatorError extends RuntimeError {
  constructor(message: string) {
    super(message);
    this.name = 'OperatorError';
  }
}
