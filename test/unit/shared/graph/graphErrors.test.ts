import { describe, expect, it } from "vitest";
import { graphHttpError } from "../../../../shared/graph/graphErrors";

const body = (code: string, message: string) => JSON.stringify({ error: { code, message, innerError: { "request-id": "r" } } });

describe("Graph failure classification", () => {
  it.each([
    [401, body("InvalidAuthenticationToken", "Access token has expired."), "GRAPH_UNAUTHORIZED"],
    [403, body("Forbidden", "Application is not authorized to perform this operation."), "GRAPH_FORBIDDEN"],
    [404, body("ResourceNotFound", "Resource not found."), "GRAPH_NOT_FOUND"],
    [429, body("TooManyRequests", "Too many requests."), "GRAPH_THROTTLED"],
    [503, body("ServiceUnavailable", "Service unavailable."), "GRAPH_UNAVAILABLE"],
    [500, "<html>oops</html>", "GRAPH_UNAVAILABLE"],
    [400, body("BadRequest", "Invalid $select."), "GRAPH_BAD_RESPONSE"],
    [302, "", "GRAPH_BAD_RESPONSE"],
  ] as const)("maps %i to its stable code", (status, text, code) => {
    expect(graphHttpError(status, text).code).toBe(code);
  });

  it("recognises Intune's answers for a tenant without Intune as not licensed, whether 400 or 403", () => {
    expect(graphHttpError(400, body("BadRequest", "Request not applicable to target tenant.")).code).toBe("GRAPH_NOT_LICENSED");
    expect(graphHttpError(403, body("Forbidden", "The tenant is not licensed for Intune.")).code).toBe("GRAPH_NOT_LICENSED");
    expect(graphHttpError(403, "Request not applicable to target tenant").code).toBe("GRAPH_NOT_LICENSED");
  });

  it("marks throttling and unavailability as retryable, the rest not", () => {
    expect(graphHttpError(429, "").details.retryable).toBe(true);
    expect(graphHttpError(503, "").details.retryable).toBe(true);
    expect(graphHttpError(403, "").details.retryable).toBe(false);
  });

  it("keeps Graph's code and message but no token or secret from the body", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ0In0.c2lnbmF0dXJlc2lnbmF0dXJl";
    const error = graphHttpError(403, body("Forbidden", `denied for Bearer ${jwt} with client_secret=Sup3rS3cret&x=1`));
    expect(error.message).toContain("Forbidden");
    expect(error.message).not.toContain(jwt);
    expect(error.message).not.toContain("Sup3rS3cret");
    expect(error.message.length).toBeLessThanOrEqual(500);
  });
});
