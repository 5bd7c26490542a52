import { z } from "zod";
import { ApiProblem } from "./problem";

/** The app roles the API checks (app registration `appRoles`). */
export const ApiRoleSchema = z.enum(["Inventory.Read", "Inventory.Sync", "Tenants.Manage"]);
export type ApiRole = z.infer<typeof ApiRoleSchema>;

export const PRINCIPAL_HEADER = "x-ms-client-principal";

/** Role claim type Entra ID tokens carry when App Service authentication reports no `role_typ`. */
const ENTRA_ROLE_CLAIM = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
/** A principal header is a few KiB at most; anything larger is not one App Service wrote. */
const MAX_PRINCIPAL_HEADER = 16 * 1024;

/** What App Service authentication (Easy Auth) puts, base64-encoded, in `x-ms-client-principal`. */
const ClientPrincipalSchema = z.object({
  auth_typ: z.string().optional(),
  name_typ: z.string().optional(),
  role_typ: z.string().optional(),
  claims: z.array(z.object({ typ: z.string(), val: z.string() })).max(1_000),
});

/** The roles of the App Service principal, or null when the header is absent or garbled. */
export function principalRoles(headerValue: string | undefined): Set<string> | null {
  if (!headerValue || headerValue.length > MAX_PRINCIPAL_HEADER) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(headerValue, "base64").toString("utf8"));
  } catch {
    return null;
  }
  const parsed = ClientPrincipalSchema.safeParse(decoded);
  if (!parsed.success) return null;
  const roleTypes = new Set(["roles", "role", ENTRA_ROLE_CLAIM, parsed.data.role_typ ?? ENTRA_ROLE_CLAIM]);
  return new Set(parsed.data.claims.filter((c) => roleTypes.has(c.typ)).map((c) => c.val));
}

/**
 * Enforces a route's roles when the deployment requires an App Service principal. Only
 * trustworthy behind App Service authentication, which strips a caller-supplied header of the
 * same name; without it the function key is the only gate (see docs/api.md).
 */
export function authorize(
  headers: Readonly<Record<string, string>>,
  acceptedRoles: readonly ApiRole[],
  requirePrincipal: boolean,
): void {
  if (!requirePrincipal || acceptedRoles.length === 0) return;
  const roles = principalRoles(headers[PRINCIPAL_HEADER]);
  if (!roles) throw new ApiProblem("UNAUTHORIZED", "A valid App Service authentication principal is required.");
  if (!acceptedRoles.some((r) => roles.has(r))) {
    throw new ApiProblem("FORBIDDEN", `This route requires the role ${acceptedRoles.join(" or ")}.`);
  }
}
