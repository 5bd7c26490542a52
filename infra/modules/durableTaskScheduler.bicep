// Optional Durable Task Scheduler backend (deployed when main.bicep's
// durableBackend == 'durableTaskScheduler'). The scheduler only accepts identity-based access:
// the app's identity gets Durable Task Data Contributor on the task hub (roleAssignments.bicep)
// and connects with a connection string that names the identity, not a key.

@description('Scheduler name (3-64 letters, digits, hyphens).')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the scheduler.')
param tags object = {}

@description('Task hub name: must equal DURABLE_TASK_HUB_NAME (host.json durableTask.hubName).')
param taskHubName string

@description('Consumption (pay per action) or Dedicated (capacity units).')
@allowed([
  'Consumption'
  'Dedicated'
])
param skuName string = 'Consumption'

@description('Capacity units for the Dedicated SKU (ignored for Consumption).')
@minValue(1)
param capacity int = 1

@description('Client id of the user-assigned identity the app connects with.')
param identityClientId string

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: skuName == 'Dedicated' ? {
      name: skuName
      capacity: capacity
    } : {
      name: skuName
    }
    ipAllowlist: [
      '0.0.0.0/0'
    ]
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
  properties: {}
}

output schedulerId string = scheduler.id
output taskHubId string = taskHub.id
output endpoint string = scheduler.properties.endpoint

@description('Identity-based connection string (no secret): DURABLE_TASK_SCHEDULER_CONNECTION_STRING.')
output connectionString string = 'Endpoint=${scheduler.properties.endpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
