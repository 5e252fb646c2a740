/**
 * The one error type that crosses layers. Every failure osmose reports on purpose is an
 * OsmoseError with a stable `code`; callers test `code` (or a subclass), never the message.
 * `toJSON`/`fromJSON` let an error travel over a worker, the WebAssembly boundary or the
 * gateway↔board link and come back as the same kind of error.
 */
export type ErrorData = Readonly<Record<string, unknown>>;

export interface OsmoseErrorJson {
  readonly name: 'OsmoseError';
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly data: ErrorData;
}

export class OsmoseError extends Error {
  override readonly name = 'OsmoseError';
  readonly code: string;
  readonly data: ErrorData;
  /** What the user should do about it, when there is something to do. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { hint?: string; data?: ErrorData; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.data = options.data ?? {};
  }

  toJSON(): OsmoseErrorJson {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      data: this.data,
    };
  }

  static fromJSON(json: OsmoseErrorJson): OsmoseError {
    return new OsmoseError(json.code, json.message, {
      ...(json.hint === undefined ? {} : { hint: json.hint }),
      data: json.data,
    });
  }
}

/** An error in what the user gave us (a file, a flag, a directory): exit status 1. */
export class InputError extends OsmoseError {}

export function isOsmoseError(value: unknown): value is OsmoseError {
  return value instanceof OsmoseError;
}
