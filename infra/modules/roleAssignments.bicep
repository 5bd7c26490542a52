// Every permission of the app's user-assigned identity, each at the narrowest scope that works,
// plus optional data-plane access for the deploying user (local debugging against Azure).
// Role definition ids are Azure built-in roles (ids are the same in every tenant).

@description('Principal (object) id of the app\'s user-assigned identity.')
param principalId string

@description('Optional principal id of the developer running azd (gets data access for debugging). Empty: none.')
param deployerPrincipalId string = ''

@description('Storage account of AzureWebJobsStorage, the deployment container and the tenant registry.')
param storageAccountName string

@description('Cosmos DB account and database.')
param cosmosAccountName string
param cosmosDatabaseName string

@description('Key Vault holding the Graph client secret; empty: no vault (every mode but clientSecret).')
param keyVaultName string = ''

@description('Application Insights component (Entra-authenticated ingestion).')
param applicationInsightsName string

// Built-in role definition ids.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // host leases + deployment package
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Durable Azure Storage backend queues
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Durable history/instances + tenant registry
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault references
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7' // deployer: sets the Graph secret
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // Entra-authenticated telemetry ingestion
}

// Cosmos DB data-plane built-in role "Cosmos DB Built-in Data Contributor" (not an Azure RBAC role).
var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'

var withDeployer = !empty(deployerPrincipalId)
var withKeyVault = !empty(keyVaultName)

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2025-04-15' existing = {
  name: cosmosAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = if (withKeyVault) {
  name: withKeyVault ? keyVaultName : 'none'
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// --- Storage: blob, queue, table data roles on the account -----------------------------------

resource appStorageBlob 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'tenant-inventory: Functions host storage and deployment package'
  }
}

resource appStorageQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'tenant-inventory: Durable Functions queues'
  }
}

resource appStorageTable 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'tenant-inventory: Durable Functions tables and the tenant registry'
  }
}

// --- Cosmos DB: data-plane role assignment, scoped to the inventory database ------------------

resource appCosmos 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-04-15' = {
  parent: cosmos
  name: guid(cosmos.id, principalId, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: principalId
    scope: '${cosmos.id}/dbs/${cosmosDatabaseName}'
  }
}

// --- Key Vault: read secrets through Key Vault references --------------------------------------

resource appKeyVault 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withKeyVault) {
  name: guid(vault.id, principalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'tenant-inventory: Key Vault references of the Graph credential'
  }
}

// --- Application Insights: Entra-authenticated ingestion --------------------------------------

resource appMonitoring 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'tenant-inventory: telemetry ingestion with local auth disabled'
  }
}

// --- Optional: the developer who runs azd ------------------------------------------------------

resource deployerCosmos 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-04-15' = if (withDeployer) {
  parent: cosmos
  name: guid(cosmos.id, deployerPrincipalId, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: deployerPrincipalId
    scope: '${cosmos.id}/dbs/${cosmosDatabaseName}'
  }
}

resource deployerTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withDeployer) {
  name: guid(storage.id, deployerPrincipalId, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: deployerPrincipalId
    description: 'tenant-inventory: developer access to the tenant registry'
  }
}

resource deployerKeyVault 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withDeployer && withKeyVault) {
  name: guid(vault.id, deployerPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: deployerPrincipalId
    description: 'tenant-inventory: developer sets the Graph credential secret'
  }
}
