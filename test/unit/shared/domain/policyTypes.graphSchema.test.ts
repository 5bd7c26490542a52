import { beforeAll, describe, expect, it } from "vitest";
import { GRAPH_SINGLETON_SEGMENTS, POLICY_TYPES } from "../../../../shared/domain";
import { LEFT_OUT } from "../../../../local/catalogDocs";
import { GraphBetaSchema } from "../../../support/graphBetaSchema";

/**
 * Every catalog entry against Microsoft's published Graph beta schema (the npm package
 * `@microsoft/microsoft-graph-types-beta`, generated from the beta `$metadata`). Real Graph
 * answers 400 for the whole listing when one `$select` property does not exist on the
 * collection's entity type, and a property declared only on a derived type does not count.
 */
let schema: GraphBetaSchema;
beforeAll(() => {
  schema = GraphBetaSchema.load();
});

describe("the Graph beta schema reader", () => {
  it("reads the published package, not an empty or foreign file", () => {
    expect(schema.packageVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(schema.isEntity("DeviceConfiguration")).toBe(true);
    expect(schema.isEntity("KeyValuePair")).toBe(false);
  });

  it("refuses what real Graph refuses: unknown segments, non-navigation properties, per-parent collections, singletons as collections", () => {
    expect(schema.resolveCollectionPath("/deviceManagement/deviceConfigurationz")).toMatchObject({ ok: false });
    expect(schema.resolveCollectionPath("/deviceManagement/subscriptionState")).toMatchObject({ ok: false });
    expect(schema.resolveCollectionPath("/deviceManagement/intents/settings")).toMatchObject({ ok: false });
    expect(schema.resolveCollectionPath("/deviceManagement/virtualEndpoint")).toMatchObject({ ok: false });
    expect(schema.resolveCollectionPath("/users")).toMatchObject({ ok: false });
  });

  it("finds a property on the entity or its bases, never on a derived type", () => {
    // `version` is declared on deviceConfiguration itself; `passwordRequired` only on derived types.
    expect(schema.property("Windows10GeneralConfiguration", "version")).not.toBeNull();
    expect(schema.property("DeviceConfiguration", "passwordRequired")).toBeNull();
    expect(schema.derivedTypes("DeviceConfiguration").some((d) => schema.property(d, "passwordRequired"))).toBe(true);
  });
});

describe.each(POLICY_TYPES.map((t) => [t.key, t] as const))("catalog entry %s", (_key, def) => {
  it("is a beta path that resolves from deviceManagement/deviceAppManagement to an entity collection", () => {
    expect(def.graphVersion).toBe("beta");
    const resolved = schema.resolveCollectionPath(def.graphPath);
    expect(resolved, def.graphPath).toMatchObject({ ok: true });
  });

  it("passes only through declared singletons", () => {
    const resolved = schema.resolveCollectionPath(def.graphPath);
    if (!resolved.ok) throw new Error(resolved.reason);
    for (const hop of resolved.singletonHops) expect(GRAPH_SINGLETON_SEGMENTS as readonly string[], hop).toContain(hop);
  });

  it("selects only properties of the entity or its base types, the name field included", () => {
    const resolved = schema.resolveCollectionPath(def.graphPath);
    if (!resolved.ok) throw new Error(resolved.reason);
    const absent = [...def.select, def.nameField].filter((p) => schema.property(resolved.entity, p) === null);
    expect(absent, `not on ${resolved.entity} or its bases`).toEqual([]);
  });
});

describe("how each entry reads its assignments, against the schema", () => {
  it.each(POLICY_TYPES.map((t) => [t.key, t] as const))("%s", (_key, def) => {
    const resolved = schema.resolveCollectionPath(def.graphPath);
    if (!resolved.ok) throw new Error(resolved.reason);
    const nav = schema.property(resolved.entity, "assignments");
    if (def.assignments === "none") {
      // notApplicable is only honest when the entity has no assignments navigation at all.
      expect(nav, `${resolved.entity} has assignments; "none" would hide them`).toBeNull();
      return;
    }
    // expand and perObject both address the navigation property; it must be a collection of entities.
    expect(nav, `${resolved.entity} has no assignments navigation`).not.toBeNull();
    expect(nav?.collection).toBe(true);
    expect(schema.isEntity(nav?.typeName ?? "")).toBe(true);
  });
});

describe("declared exceptions", () => {
  it("every declared singleton is a single-valued navigation property that some catalog path uses", () => {
    for (const segment of GRAPH_SINGLETON_SEGMENTS) {
      const [, root, nav] = segment.split("/");
      const rootEntity = root === "deviceManagement" ? "DeviceManagement" : "DeviceAppManagement";
      const prop = schema.property(rootEntity, nav ?? "");
      expect(prop, segment).not.toBeNull();
      expect(prop?.collection, segment).toBe(false);
      expect(schema.isEntity(prop?.typeName ?? ""), segment).toBe(true);
      expect(POLICY_TYPES.some((t) => t.graphPath.startsWith(`${segment}/`)), segment).toBe(true);
    }
  });

  it.each(LEFT_OUT.map((l) => [l.graphPath, l] as const))("left out %s: the schema agrees with the stated kind", (path, leftOut) => {
    expect(POLICY_TYPES.some((t) => t.graphPath === path)).toBe(false);
    if (leftOut.kind === "singleton") {
      const resolved = schema.resolveCollectionPath(path);
      expect(resolved).toMatchObject({ ok: false, reason: expect.stringContaining("single entity") });
      return;
    }
    if (leftOut.kind === "perParent") {
      const [parentPath, child] = path.split("/{id}/");
      const parent = schema.resolveCollectionPath(parentPath ?? "");
      if (!parent.ok) throw new Error(parent.reason);
      const nav = schema.property(parent.entity, child ?? "");
      expect(nav?.collection, `${parent.entity}.${child}`).toBe(true);
      expect(schema.isEntity(nav?.typeName ?? "")).toBe(true);
      return;
    }
    expect(schema.resolveCollectionPath(path), path).toMatchObject({ ok: true });
  });
});

describe("secrets and blobs", () => {
  // Properties that hold secrets or file contents on entities the catalog reads (VPP token,
  // script bodies, BIOS files, provisioning payloads, enrollment tokens, passwords).
  const NEVER_SELECTED = [
    "token",
    "tokenValue",
    "scriptContent",
    "detectionScriptContent",
    "remediationScriptContent",
    "configurationFileContent",
    "payload",
    "wifiPassword",
    "adDomainPassword",
    "qrCodeContent",
    "appleId",
    "appleIdentifier",
  ];
  it("no catalog entry ever asks Graph for a secret or a file body", () => {
    for (const def of POLICY_TYPES) expect(def.select.filter((p) => NEVER_SELECTED.includes(p)), def.key).toEqual([]);
  });
});
