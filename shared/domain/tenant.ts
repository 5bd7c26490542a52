import { z } from "zod";
import { SelectionSchema } from "./selection";

export const TenantIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "expected an Entra tenant id (GUID)")
  .transform((v) => v.toLowerCase());

/** A registered customer tenant. Never holds a secret: credentials belong to the app registration. */
export const TenantSchema = z.object({
  tenantId: z.string(),
  displayName: z.string().min(1).max(256),
  enabled: z.boolean(),
  /** The nightly selections (normalised). */
  selections: z.array(SelectionSchema).max(20),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Tenant = z.infer<typeof TenantSchema>;
