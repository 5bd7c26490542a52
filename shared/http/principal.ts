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

/** What the API reads from a principal: its app roles and its Entra group object ids (lower case). */
export interface Principal {
  roles: Set<string>;
  groups: Set<string>;
}

/** Group claim type: `groups` in Entra tokens (App Service passes claims through as they are). */
const GROUP_CLAIM_TYPES = new Set([
  "groups",
  "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
]);

/** The App Service principal, or null when the header is absent or garbled. */
export function parsePrincipal(headerValue: string | undefined): Principal | null {
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
  return {
    roles: new Set(parsed.data.claims.filter((c) => roleTypes.has(c.typ)).map((c) => c.val)),
    groups: new Set(
      parsed.data.claims.filter((c) => GROUP_CLAIM_TYPES.has(c.typ)).map((c) => c.val.toLowerCase()),
    ),
  };
}

/** The roles of the App Service principal, or null when the header is absent or garbled. */
export function principalRoles(headerValue: string | undefined): Set<string> | null {
  return parsePrincipal(headerValue)?.roles ?? null;
}

/**
 * Who may act on which tenant. `all` when principals are not required (the function key is the
 * gate); otherwise a tenant is open to the principal when it names no access groups, or when
 * one of the principal's `groups` claims is among them.
 */
export interface TenantAccess {
  readonly principal: Principal | null;
  mayAccess(tenant: { accessGroups?: readonly string[] | undefined }): boolean;
}

export const OPEN_ACCESS: TenantAccess = { principal: null, mayAccess: () => true };

export function tenantAccessOf(principal: Principal): TenantAccess {
  return {
    principal,
    mayAccess: (tenant) =>
      !tenant.accessGroups ||
      tenant.accessGroups.length === 0 ||
      tenant.accessGroups.some((g) => principal.groups.has(g.toLowerCase())),
  };
}

/** Sent with every 401: App Service authentication (Entra ID bearer tokens) is the scheme. */
export const WWW_AUTHENTICATE = 'Bearer realm="tenant-inventory", error="invalid_token"';

/**
 * Enforces a route's roles when the deployment requires an App Service principal. Only
 * trustworthy behind App Service authentication, which strips a caller-supplied header of the
 * same name; without it the function key is the only gate (see docs/api.md). Returns what the
 * principal may see.
 */
export function authorize(
  headers: Readonly<Record<string, string>>,
  acceptedRoles: readonly ApiRole[],
  requirePrincipal: boolean,
): TenantAccess {
  if (!requirePrincipal || acceptedRoles.length === 0) return OPEN_ACCESS;
  const principal = parsePrincipal(headers[PRINCIPAL_HEADER]);
  if (!principal) {
    throw new ApiProblem(
      "UNAUTHORIZED",
      "A valid App Service authentication principal is required.",
      {},
      { "www-authenticate": WWW_AUTHENTICATE },
    );
  }
  if (!acceptedRoles.some((r) => principal.roles.has(r))) {
    throw new ApiProblem("FORBIDDEN", `This route requires the role ${acceptedRoles.join(" or ")}.`);
  }
  return tenantAccessOf(principal);
}
