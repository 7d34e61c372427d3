// Errors the desk reports to clients: a stable code that clients test against,
// the HTTP status, and the field when one field is at fault.
import { renderMessage, type FieldError, type Message } from './domain/index.ts';

export class DeskError extends Error {
  override name = 'DeskError';
  readonly code: string;
  readonly status: number;
  readonly field: string | undefined;
  readonly issues: FieldError[] | undefined;
  /** The text a person reads, rendered in their language by the UI; `message` stays its English rendering. */
  readonly text: Message | undefined;

  constructor(status: number, code: string, message: string, opts: { field?: string; issues?: FieldError[]; text?: Message } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = opts.field;
    this.issues = opts.issues;
    this.text = opts.text;
  }

  /** An error whose English message is the rendering of `text`. */
  static of(status: number, code: string, text: Message, opts: { field?: string; issues?: FieldError[] } = {}): DeskError {
    return new DeskError(status, code, renderMessage(text, 'en'), { ...opts, text });
  }

  static validation(issues: FieldError[]): DeskError {
    const first = issues[0]!;
    return new DeskError(400, 'VALIDATION_FAILED', first.message, { field: first.field, issues, text: first.text });
  }
}
