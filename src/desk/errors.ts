// Errors the desk reports to clients: a stable code that clients test against,
// the HTTP status, and the field when one field is at fault. `message` is
// English; `detail`, when present, is the same as a Message for the reader's language.
import type { FieldError, Message } from './domain/index.ts';

export class DeskError extends Error {
  override name = 'DeskError';
  readonly code: string;
  readonly status: number;
  readonly field: string | undefined;
  readonly issues: FieldError[] | undefined;
  readonly detail: Message | undefined;

  constructor(status: number, code: string, message: string, opts: { field?: string; issues?: FieldError[]; detail?: Message } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = opts.field;
    this.issues = opts.issues;
    this.detail = opts.detail;
  }

  static validation(issues: FieldError[]): DeskError {
    const first = issues[0]!;
    return new DeskError(400, 'VALIDATION_FAILED', first.message, { field: first.field, issues, detail: first.detail });
  }
}
