/**
 * A DurableClient backed by the offline driver, so starters written against durable-functions'
 * client (`df.getClient(context)`) run unchanged when the local host hands them this one.
 */
import { HttpResponse, type HttpRequest } from "@azure/functions";
import * as df from "durable-functions";
import type {
  DurableClient,
  DurableOrchestrationStatus,
  EntityId,
  GetStatusOptions,
  HttpManagementPayload,
  OrchestrationFilter,
  PurgeHistoryResult,
  StartNewOptions,
  WaitForCompletionOptions,
} from "durable-functions";
import type { DurableDriver } from "./durableDriver";
import type { OrchestrationStatus } from "./types";

export type DriverOrchestrationStatus = DurableOrchestrationStatus & {
  readonly historyLength: number;
  readonly generation: number;
};

export interface DriverDurableClientOptions {
  /** Origin used in management URLs when no request is at hand. */
  baseUrl?: string;
  taskHubName?: string;
}

function toClientStatus(status: OrchestrationStatus): DriverOrchestrationStatus {
  return { ...status, runtimeStatus: df.OrchestrationRuntimeStatus[status.runtimeStatus] };
}

export class DriverDurableClient implements DurableClient {
  readonly taskHubName: string;
  readonly uniqueWebhookOrigins: string[];
  private readonly baseUrl: string;

  constructor(
    private readonly driver: DurableDriver,
    options: DriverDurableClientOptions = {},
  ) {
    this.baseUrl = options.baseUrl ?? "http://127.0.0.1:7071";
    this.taskHubName = options.taskHubName ?? "OfflineTaskHub";
    this.uniqueWebhookOrigins = [this.baseUrl];
  }

  async startNew(orchestratorFunctionName: string, options: StartNewOptions = {}): Promise<string> {
    return this.driver.startNew(orchestratorFunctionName, { instanceId: options.instanceId, input: options.input });
  }

  async getStatus(instanceId: string, options: GetStatusOptions = {}): Promise<DriverOrchestrationStatus> {
    const status = this.driver.getStatus(instanceId, { showHistory: options.showHistory });
    if (!status) {
      throw new Error(`DurableClient error: no data is associated with the instanceId provided: ${instanceId}.`);
    }
    return toClientStatus(status);
  }

  async getStatusAll(): Promise<DriverOrchestrationStatus[]> {
    return this.driver.getStatusAll().map(toClientStatus);
  }

  async getStatusBy(filter: OrchestrationFilter): Promise<DriverOrchestrationStatus[]> {
    const all = await this.getStatusAll();
    return all.filter(
      (s) =>
        (!filter.createdTimeFrom || s.createdTime >= filter.createdTimeFrom) &&
        (!filter.createdTimeTo || s.createdTime <= filter.createdTimeTo) &&
        (!filter.runtimeStatus || filter.runtimeStatus.includes(s.runtimeStatus)),
    );
  }

  async terminate(instanceId: string, reason: string): Promise<void> {
    this.driver.terminate(instanceId, reason);
  }

  async raiseEvent(instanceId: string, eventName: string, eventData: unknown): Promise<void> {
    this.driver.raiseEvent(instanceId, eventName, eventData);
  }

  async readEntityState<T>(entityId: EntityId): Promise<df.EntityStateResponse<T>> {
    const state = this.driver.readEntityState<T>(entityId);
    return new df.EntityStateResponse<T>(state.entityExists, state.entityState);
  }

  async signalEntity(entityId: EntityId, operationName = "", operationContent?: unknown): Promise<void> {
    this.driver.signalEntity(entityId, operationName, operationContent);
  }

  async purgeInstanceHistory(instanceId: string): Promise<PurgeHistoryResult> {
    return this.driver.purgeInstanceHistory(instanceId);
  }

  async purgeInstanceHistoryBy(filter: OrchestrationFilter): Promise<PurgeHistoryResult> {
    const matching = await this.getStatusBy(filter);
    let instancesDeleted = 0;
    for (const s of matching) instancesDeleted += this.driver.purgeInstanceHistory(s.instanceId).instancesDeleted;
    return { instancesDeleted };
  }

  /** Not part of DurableClient: bounded wait for a terminal status, for tests and the local host. */
  async waitForCompletion(instanceId: string, timeoutMs: number): Promise<DriverOrchestrationStatus> {
    return toClientStatus(await this.driver.waitForCompletion(instanceId, timeoutMs));
  }

  createHttpManagementPayload(instanceId: string): HttpManagementPayload {
    return this.managementPayload(this.baseUrl, instanceId);
  }

  createCheckStatusResponse(request: HttpRequest | undefined, instanceId: string): HttpResponse {
    const payload = this.managementPayload(request ? new URL(request.url).origin : this.baseUrl, instanceId);
    return new HttpResponse({
      status: 202,
      jsonBody: payload,
      headers: { "Content-Type": "application/json", Location: payload.statusQueryGetUri, "Retry-After": "10" },
    });
  }

  async waitForCompletionOrCreateCheckStatusResponse(
    request: HttpRequest,
    instanceId: string,
    waitOptions: WaitForCompletionOptions = {},
  ): Promise<HttpResponse> {
    try {
      const status = await this.waitForCompletion(instanceId, waitOptions.timeoutInMilliseconds ?? 10_000);
      const ok = status.runtimeStatus === df.OrchestrationRuntimeStatus.Completed;
      return new HttpResponse({ status: ok ? 200 : 500, jsonBody: ok ? status.output : status });
    } catch {
      return this.createCheckStatusResponse(request, instanceId);
    }
  }

  async rewind(): Promise<void> {
    throw new Error("rewind is not supported by the offline durable driver");
  }

  async suspend(): Promise<void> {
    throw new Error("suspend is not supported by the offline durable driver");
  }

  async resume(): Promise<void> {
    throw new Error("resume is not supported by the offline durable driver");
  }

  private managementPayload(origin: string, instanceId: string): HttpManagementPayload {
    const base = `${origin}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}`;
    const query = `taskHub=${encodeURIComponent(this.taskHubName)}&connection=Storage`;
    return {
      id: instanceId,
      statusQueryGetUri: `${base}?${query}`,
      sendEventPostUri: `${base}/raiseEvent/{eventName}?${query}`,
      terminatePostUri: `${base}/terminate?reason={text}&${query}`,
      rewindPostUri: `${base}/rewind?reason={text}&${query}`,
      purgeHistoryDeleteUri: `${base}?${query}`,
      suspendPostUri: `${base}/suspend?reason={text}&${query}`,
      resumePostUri: `${base}/resume?reason={text}&${query}`,
    };
  }
}
