import { ApiProblem } from "./problem";

/**
 * Query parameters the Functions host itself consumes: `code` carries the function key when a
 * caller cannot send the `x-functions-key` header. They never reach validation.
 */
const HOST_PARAMETERS = new Set(["code"]);

/**
 * URLSearchParams → plain object for zod. A parameter given twice is a 400 rather than
 * "last one wins", so a caller never gets a filter it did not mean.
 */
export function queryObject(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const repeated: string[] = [];
  for (const [key, value] of query) {
    if (HOST_PARAMETERS.has(key)) continue;
    if (Object.prototype.hasOwnProperty.call(out, key)) repeated.push(key);
    out[key] = value;
  }
  if (repeated.length > 0) {
    throw new ApiProblem("VALIDATION_FAILED", "A query parameter was given more than once.", {
      errors: [...new Set(repeated)].slice(0, 20).map((key) => ({ path: `query.${key}`, message: "given more than once" })),
    });
  }
  return { ...out };
}
