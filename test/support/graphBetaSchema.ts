/**
 * The Microsoft Graph beta schema as Microsoft publishes it in the npm package
 * `@microsoft/microsoft-graph-types-beta` (TypeScript interfaces generated from the beta
 * `$metadata`), read with the TypeScript compiler API.
 *
 * What the generated file keeps of the CSDL, and how it is read here:
 * - every entity type is an `export interface X extends Base` whose chain ends at `Entity`;
 *   complex types do not extend `Entity`;
 * - a navigation property to a collection is typed `NullableOption<X[]>` with X an entity type,
 *   a single-valued one `NullableOption<X>`;
 * - a property exists on an entity when it is declared on that interface or on one of its
 *   bases. Properties declared only on derived interfaces are what real Graph answers 400 for
 *   when they are `$select`ed on the base collection.
 */
import { readFileSync } from "node:fs";
import ts from "typescript";

export interface GraphProperty {
  /** The interface the property is typed with (element type for collections), or the primitive text. */
  readonly typeName: string;
  readonly collection: boolean;
}

export interface GraphInterface {
  readonly name: string;
  readonly base: string | null;
  readonly properties: ReadonlyMap<string, GraphProperty>;
}

export type PathResolution =
  | { ok: true; entity: string; singletonHops: string[] }
  | { ok: false; reason: string };

export class GraphBetaSchema {
  private constructor(
    private readonly interfaces: ReadonlyMap<string, GraphInterface>,
    readonly packageVersion: string,
  ) {}

  static load(): GraphBetaSchema {
    const file = require.resolve("@microsoft/microsoft-graph-types-beta/microsoft-graph.d.ts");
    const pkg = JSON.parse(
      readFileSync(require.resolve("@microsoft/microsoft-graph-types-beta/package.json"), "utf8"),
    ) as { version: string };
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
    const interfaces = new Map<string, GraphInterface>();
    for (const statement of source.statements) {
      if (!ts.isInterfaceDeclaration(statement)) continue;
      const heritage = statement.heritageClauses?.flatMap((c) => c.types.map((t) => t.expression.getText(source))) ?? [];
      const properties = new Map<string, GraphProperty>();
      for (const member of statement.members) {
        if (!ts.isPropertySignature(member) || !member.type) continue;
        const name = ts.isStringLiteral(member.name) ? member.name.text : member.name.getText(source);
        properties.set(name, describeType(member.type, source));
      }
      interfaces.set(statement.name.text, { name: statement.name.text, base: heritage[0] ?? null, properties });
    }
    return new GraphBetaSchema(interfaces, pkg.version);
  }

  has(name: string): boolean {
    return this.interfaces.has(name);
  }

  /** The interface and its bases, nearest first. */
  chain(name: string): GraphInterface[] {
    const out: GraphInterface[] = [];
    for (let current = this.interfaces.get(name); current; current = current.base ? this.interfaces.get(current.base) : undefined) {
      out.push(current);
    }
    return out;
  }

  isEntity(name: string): boolean {
    return this.chain(name).some((i) => i.name === "Entity");
  }

  /** The property as declared on the entity or one of its bases (never on a derived type). */
  property(entity: string, property: string): GraphProperty | null {
    for (const i of this.chain(entity)) {
      const p = i.properties.get(property);
      if (p) return p;
    }
    return null;
  }

  /** Entity types that derive from `name`, directly or not. */
  derivedTypes(name: string): string[] {
    return [...this.interfaces.keys()].filter((n) => n !== name && this.chain(n).some((i) => i.name === name));
  }

  /**
   * Walks a catalog path (`/deviceManagement/…`) from the root singleton through navigation
   * properties. The last segment must be a collection of entities; a single-valued hop on the
   * way is reported so the caller can hold it against its declared list.
   */
  resolveCollectionPath(path: string): PathResolution {
    const [root, ...segments] = path.replace(/^\//, "").split("/");
    const roots: Record<string, string> = { deviceManagement: "DeviceManagement", deviceAppManagement: "DeviceAppManagement" };
    let current = root ? roots[root] : undefined;
    if (!current) return { ok: false, reason: `root ${root ?? "(empty)"} is neither deviceManagement nor deviceAppManagement` };
    if (segments.length === 0) return { ok: false, reason: "path names no collection" };
    const singletonHops: string[] = [];
    let prefix = `/${root}`;
    for (const [index, segment] of segments.entries()) {
      const nav = this.property(current, segment);
      if (!nav) return { ok: false, reason: `${current} has no property ${segment}` };
      if (!this.isEntity(nav.typeName)) return { ok: false, reason: `${current}.${segment} is not a navigation property (type ${nav.typeName})` };
      prefix = `${prefix}/${segment}`;
      const last = index === segments.length - 1;
      if (last && !nav.collection) return { ok: false, reason: `${prefix} is a single entity, not a collection` };
      if (!last && nav.collection) return { ok: false, reason: `${prefix} is a collection; the catalog cannot enumerate per parent` };
      if (!last) singletonHops.push(prefix);
      current = nav.typeName;
    }
    return { ok: true, entity: current, singletonHops };
  }
}

function describeType(node: ts.TypeNode, source: ts.SourceFile): GraphProperty {
  // NullableOption<T> wraps every nullable property; unwrap it first.
  if (ts.isTypeReferenceNode(node) && node.typeName.getText(source) === "NullableOption" && node.typeArguments?.[0]) {
    return describeType(node.typeArguments[0], source);
  }
  if (ts.isArrayTypeNode(node)) return { typeName: describeType(node.elementType, source).typeName, collection: true };
  if (ts.isTypeReferenceNode(node)) return { typeName: node.typeName.getText(source), collection: false };
  return { typeName: node.getText(source), collection: false };
}
