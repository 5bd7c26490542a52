/**
 * Durable entities: one in-memory state per entity instance, operations run through
 * durable-functions' own entity engine (createEntityFunction) strictly one at a time per
 * instance, in arrival order, whoever sent them.
 */
import { randomUUID } from "node:crypto";
import * as df from "durable-functions";
import type { EntityContext } from "durable-functions";
import { InFlightTracker, SerialQueue } from "./concurrency";
import { failureFrom, type FailureInfo } from "./historyBuilder";
import {
  asEntityBatchResult,
  createEntityContext,
  createEntityListener,
  createEntityTrigger,
  schedulerIdOf,
  type EntityRequest,
} from "./libraryBoundary";

export type DriverEntityHandler<T = unknown> = (context: EntityContext<T>) => void | Promise<void>;

export type EntityOperationResult =
  | { ok: true; resultJson: string | undefined }
  | { ok: false; failure: FailureInfo; resultJson?: string };

interface EntityRecord {
  exists: boolean;
  /** The state as JSON text, exactly as the engine hands it over. */
  state: string | undefined;
  queue: SerialQueue;
  /** Operations queued or running on this instance. */
  pending: number;
}

type Log = (level: string, ...args: unknown[]) => void;

export class EntityHost {
  private readonly handlers = new Map<string, DriverEntityHandler>();
  private readonly entities = new Map<string, EntityRecord>();
  private operations = 0;

  constructor(
    private readonly tracker: InFlightTracker,
    private readonly log: Log,
  ) {}

  get operationCount(): number {
    return this.operations;
  }

  register<T>(name: string, handler: DriverEntityHandler<T>): void {
    // Entity names are case-insensitive in Durable; scheduler ids use the lower-case form.
    this.handlers.set(name.toLowerCase(), handler as DriverEntityHandler);
  }

  has(name: string): boolean {
    return this.handlers.has(name.toLowerCase());
  }

  /** Queues one operation (a call or a signal) and resolves with its outcome once it ran. */
  enqueue(entityId: df.EntityId, operation: string, inputJson: string | undefined, options: {
    signal: boolean;
    parent?: string;
    requestId?: string;
  }): Promise<EntityOperationResult> {
    const schedulerId = schedulerIdOf(entityId);
    const record = this.recordFor(schedulerId);
    const request: EntityRequest = {
      id: options.requestId ?? randomUUID(),
      name: operation,
      signal: options.signal,
      input: inputJson,
      parent: options.parent,
    };
    const end = this.tracker.begin();
    record.pending++;
    return new Promise<EntityOperationResult>((resolve) => {
      void record.queue.enqueue(async () => {
        try {
          resolve(await this.execute(entityId, record, request));
        } catch (error) {
          resolve({ ok: false, failure: failureFrom(error) });
        } finally {
          record.pending--;
          this.forgetIfGone(schedulerId, record);
          end();
        }
      });
    });
  }

  readState<T>(entityId: df.EntityId): { entityExists: boolean; entityState?: T } {
    const record = this.entities.get(schedulerIdOf(entityId));
    if (!record || !record.exists) return { entityExists: false };
    return {
      entityExists: true,
      entityState: record.state === undefined ? undefined : (JSON.parse(record.state) as T),
    };
  }

  private recordFor(schedulerId: string): EntityRecord {
    let record = this.entities.get(schedulerId);
    if (!record) {
      record = { exists: false, state: undefined, queue: new SerialQueue(), pending: 0 };
      this.entities.set(schedulerId, record);
    }
    return record;
  }

  /**
   * A deleted (or never created) entity with nothing queued is forgotten: reading it says
   * "does not exist" either way, and every run deletes its own workQueue entity, so keeping the
   * record would grow the host by one per run (measured: 1,800 records after 1,800 syncs).
   */
  private forgetIfGone(schedulerId: string, record: EntityRecord): void {
    if (record.pending === 0 && !record.exists && this.entities.get(schedulerId) === record) this.entities.delete(schedulerId);
  }

  /** Entity instances the host holds a record for (existing, or with operations queued). */
  get size(): number {
    return this.entities.size;
  }

  private async execute(entityId: df.EntityId, record: EntityRecord, request: EntityRequest): Promise<EntityOperationResult> {
    const name = entityId.name.toLowerCase();
    const handler = this.handlers.get(name);
    if (!handler) {
      return { ok: false, failure: { errorType: "Error", message: `No entity named '${entityId.name}' is registered` } };
    }
    this.operations++;

    // The engine serialises a thrown error with JSON.stringify, which loses its message, so the
    // original error is kept aside to report it to the caller.
    let thrown: unknown;
    const listener = createEntityListener(async (context: EntityContext<unknown>) => {
      try {
        await handler(context);
      } catch (error) {
        thrown = error;
        throw error;
      }
    });
    const self = new df.EntityId(name, entityId.key);
    const trigger = createEntityTrigger({ self, exists: record.exists, state: record.state, batch: [request] });
    const context = createEntityContext(name, randomUUID(), this.log);
    const outcome = asEntityBatchResult(await listener(trigger, context));
    const result = outcome.results[0];

    if (!result || result.isError) {
      // A failed operation leaves the state as it was, like the host's rollback.
      return {
        ok: false,
        failure: failureFrom(thrown ?? new Error(`Entity operation '${request.name}' failed`)),
        resultJson: result?.result,
      };
    }
    record.exists = outcome.entityExists;
    record.state = outcome.entityExists ? outcome.entityState : undefined;
    for (const signal of outcome.signals) {
      void this.enqueue(new df.EntityId(signal.target.name, signal.target.key), signal.name, signal.input || undefined, {
        signal: true,
        parent: schedulerIdOf(self),
      });
    }
    return { ok: true, resultJson: result.result };
  }
}
