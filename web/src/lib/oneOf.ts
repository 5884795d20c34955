// Type guards instead of casts (`as Status`, `Object.keys(o) as (keyof T)[]`): the value is
// checked at run time, so the type says what it is.

/** Whether a value is one of these strings. */
export const isOneOf = <T extends string>(values: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (values as readonly string[]).includes(value);

/** An object's own keys, typed as its keys. */
export const keysOf = <T extends object>(o: T): (keyof T & string)[] => Object.keys(o).filter((k): k is keyof T & string => Object.hasOwn(o, k));
