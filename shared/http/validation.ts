import type { z } from "zod";
import { ApiProblem } from "./problem";
import type { FieldError } from "./problem";

export type InputLocation = "path" | "query" | "body";

/** Zod issues as `{path, message}` with the location first (`query.limit`, `body.policyTypes.0`). */
export function fieldErrors(location: InputLocation, issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.slice(0, 20).map((issue) => ({
    path: [location, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
}

/** Parses one part of the request; any mismatch is a 400 VALIDATION_FAILED naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, location: InputLocation): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ApiProblem("VALIDATION_FAILED", `The request ${location === "path" ? "path" : location} is not valid.`, {
    errors: fieldErrors(location, parsed.error.issues),
  });
}
