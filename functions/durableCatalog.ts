import * as df from "durable-functions";
import type { EntityHandler, OrchestrationHandler } from "durable-functions";
import { ACTIVITIES, ORCHESTRATIONS } from "../shared/sync/contracts";
import { GATE_ENTITY_KEY, GATE_ENTITY_NAME } from "../shared/sync/gate";
import type { GateState } from "../shared/sync/gate";
import { syncGateEntity } from "./entities/syncGate";
import { inventorySyncOrchestrator } from "./orchestrations/inventorySync";
import { nightlySyncOrchestrator } from "./orchestrations/nightlySync";

/**
 * Every Durable function of the app, by name: the Azure registrations and the offline driver
 * both iterate these, so the two can never disagree on what exists.
 */
export const DURABLE_ORCHESTRATIONS: Record<string, OrchestrationHandler> = {
  [ORCHESTRATIONS.inventorySync]: inventorySyncOrchestrator,
  [ORCHESTRATIONS.nightlySync]: nightlySyncOrchestrator,
};

export const DURABLE_ENTITIES: Record<string, EntityHandler<GateState>> = {
  [GATE_ENTITY_NAME]: syncGateEntity,
};

export const DURABLE_ACTIVITY_NAMES = Object.values(ACTIVITIES);

export const gateEntityId = () => new df.EntityId(GATE_ENTITY_NAME, GATE_ENTITY_KEY);
