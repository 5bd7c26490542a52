import * as df from "durable-functions";
import type { EntityHandler, OrchestrationHandler } from "durable-functions";
import { ACTIVITIES, ORCHESTRATIONS } from "../shared/sync/contracts";
import { GATE_ENTITY_KEY, GATE_ENTITY_NAME } from "../shared/sync/gate";
import type { GateState } from "../shared/sync/gate";
import { syncGateEntity } from "./entities/syncGate";
import type { WorkQueueState } from "../shared/sync/workQueue";
import { WORK_QUEUE_ENTITY_NAME } from "../shared/sync/workQueue";
import { workQueueEntity } from "./entities/workQueue";
import { inventorySyncLaneV2, inventorySyncV2, inventorySyncV3 } from "./orchestrations/inventorySync";
import { nightlySyncLaneV2, nightlySyncV2 } from "./orchestrations/nightlySync";
import { versioned } from "./orchestrations/versioning";

/**
 * Every Durable function of the app, by name: the Azure registrations and the offline driver
 * both iterate these, so the two can never disagree on what exists.
 */
export const DURABLE_ORCHESTRATIONS: Record<string, OrchestrationHandler> = {
  // Each orchestration by logic version: keep a version here until none of its instances runs.
  [ORCHESTRATIONS.inventorySync]: versioned(ORCHESTRATIONS.inventorySync, { 2: inventorySyncV2, 3: inventorySyncV3 }),
  [ORCHESTRATIONS.inventorySyncLane]: versioned(ORCHESTRATIONS.inventorySyncLane, { 2: inventorySyncLaneV2, 3: inventorySyncLaneV2 }),
  [ORCHESTRATIONS.nightlySync]: versioned(ORCHESTRATIONS.nightlySync, { 2: nightlySyncV2, 3: nightlySyncV2 }),
  [ORCHESTRATIONS.nightlySyncLane]: versioned(ORCHESTRATIONS.nightlySyncLane, { 2: nightlySyncLaneV2, 3: nightlySyncLaneV2 }),
};

/** Each entity reads and writes only its own state type; the registrations take them alike. */
export const DURABLE_ENTITIES: Record<string, EntityHandler<unknown>> = {
  [GATE_ENTITY_NAME]: syncGateEntity as EntityHandler<GateState> as EntityHandler<unknown>,
  [WORK_QUEUE_ENTITY_NAME]: workQueueEntity as EntityHandler<WorkQueueState> as EntityHandler<unknown>,
};

export const DURABLE_ACTIVITY_NAMES = Object.values(ACTIVITIES);

export const gateEntityId = () => new df.EntityId(GATE_ENTITY_NAME, GATE_ENTITY_KEY);
