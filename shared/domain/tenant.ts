import { z } from "zod";
import { SelectionSchema } from "./selection";

export const TenantIdSchema = z
  .string()
  .regex(
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    "expected an Entra tenant id (GUID)",
  )
  .transform((v) => v.toLowerCase());

/** An Entra group object id (GUID), stored lower-case so claims compare exactly. */
export const GroupIdSchema = z
  .string()
  .regex(
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    "expected an Entra group object id (GUID)",
  )
  .transform((v) => v.toLowerCase());

/**
 * At most this many access groups per tenant: Entra puts at most 200 groups in a token (beyond
 * that it sends an overage claim instead), so a tenant needs few, typically one per MSP team.
 */
export const MAX_ACCESS_GROUPS = 50;

/** Baselines per tenant: each is evaluated after every run, so the list stays short. */
export const MAX_TENANT_BASELINES = 10;

/** A registered customer tenant. Never holds a secret: credentials belong to the app registration. */
export const TenantSchema = z.object({
  tenantId: z.string(),
  displayName: z.string().min(1).max(256),
  enabled: z.boolean(),
  /** The nightly selections (normalised). */
  selections: z.array(SelectionSchema).max(20),
  /**
   * Entra groups whose members may act on this tenant when principals are required
   * (AUTH_REQUIRE_PRINCIPAL=true), on top of the route's role. Absent or empty: every holder of
   * the role.
   */
  accessGroups: z.array(GroupIdSchema).max(MAX_ACCESS_GROUPS).optional(),
  /** Baselines whose drift is evaluated after every finished run of the tenant (docs/api.md "Baselines and drift"). */
  baselines: z.array(z.string()).max(MAX_TENANT_BASELINES).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Tenant = z.infer<typeof TenantSchema>;
