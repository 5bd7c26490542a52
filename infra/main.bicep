// tenant-inventory: everything `azd up` provisions. Subscription scope: creates the resource
// group, then the modules in ./modules. Identity-only access throughout: no key-listing function, no
// account keys, no connection string with a secret (test/unit/infra/main.test.ts enforces it).
// Parameters and outputs are documented in docs/deploy.md.
targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('azd environment name; names and tags every resource.')
param environmentName string

@minLength(1)
@description('Azure region of every resource (must offer Flex Consumption).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group name. Empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the developer running azd (AZURE_PRINCIPAL_ID). Gets data access to Cosmos DB, the tenant table, Key Vault secrets and the task hub, for debugging. Empty: nobody.')
param principalId string = ''

// --- Graph -----------------------------------------------------------------------------------

@description('Application (client) id of the multi-tenant Graph app registration (GRAPH_CLIENT_ID). See docs/graph-permissions.md.')
@minLength(36)
@maxLength(36)
param graphClientId string

@description('How the app authenticates to Graph. federated (default): secretless, the user-assigned identity is the app registration\'s federated credential. clientSecret / certificate: from Key Vault.')
@allowed([
  'federated'
  'clientSecret'
  'certificate'
])
param graphAuthMode string = 'federated'

@description('Key Vault secret name holding the client secret (graphAuthMode clientSecret).')
param graphClientSecretName string = 'graph-client-secret'

@description('Path of the PEM certificate readable by the worker (graphAuthMode certificate). See docs/deploy.md for the limits on Flex Consumption.')
param graphCertificatePath string = ''

@description('Graph root URL (GRAPH_BASE_URL): the global cloud by default.')
param graphBaseUrl string = 'https://graph.microsoft.com'

@description('GRAPH_REQUEST_TIMEOUT_MS.')
@minValue(1000)
@maxValue(300000)
param graphRequestTimeoutMs int = 60000

@description('GRAPH_MAX_ATTEMPTS.')
@minValue(1)
@maxValue(12)
param graphMaxAttempts int = 6

// --- Sync --------------------------------------------------------------------------------------

@description('SYNC_SCHEDULE: six-field NCRONTAB of the nightly sync (UTC).')
param syncSchedule string = '0 0 2 * * *'

@description('WATCHDOG_SCHEDULE: six-field NCRONTAB of the stuck-run watchdog.')
param watchdogSchedule string = '0 */10 * * * *'

@description('SYNC_MAX_CONCURRENT_RUNS.')
@minValue(1)
@maxValue(1000)
param syncMaxConcurrentRuns int = 20

@description('SYNC_MAX_CONCURRENT_RUNS_PER_TENANT (not above syncMaxConcurrentRuns).')
@minValue(1)
@maxValue(100)
param syncMaxConcurrentRunsPerTenant int = 2

@description('SYNC_MAX_PARALLEL_TYPES.')
@minValue(1)
@maxValue(64)
param syncMaxParallelTypes int = 8

@description('SYNC_LEASE_SECONDS; also the threshold of the stuck-run alert.')
@minValue(1)
@maxValue(86400)
param syncLeaseSeconds int = 1800

@description('SYNC_NIGHTLY_WAIT_SECONDS.')
@minValue(0)
@maxValue(86400)
param syncNightlyWaitSeconds int = 3600

@description('CHANGES_RETENTION_DAYS: days a change document is kept (Cosmos TTL).')
@minValue(1)
@maxValue(24855)
param changesRetentionDays int = 90

@description('AUTH_REQUIRE_PRINCIPAL: also require the App Service authentication principal and its role per route. Always on when signInClientId is set.')
param authRequirePrincipal bool = false

@description('Client id of the Entra app registration people sign in to the web console with (App Service authentication, app roles Inventory.Read / Inventory.Sync / Tenants.Manage; docs/deploy.md "Sign-in"). azd up sets it: its preprovision hook (infra/hooks/signin.mjs) finds or creates the registration unless SIGN_IN=off. Empty: no App Service authentication, API calls need function keys, and the console cannot be used in Azure.')
param signInClientId string = ''

@description('Entra tenant that issues the sign-in tokens; empty: the tenant of the subscription.')
param signInTenantId string = ''


// --- Hosting -----------------------------------------------------------------------------------

@description('Node.js major version of the Flex Consumption runtime: 22 (default, LTS) or 20 (end of life since April 2026; kept selectable because every locked dependency still supports it).')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '22'

@description('Always-ready instances of the Durable Functions group.')
@minValue(0)
@maxValue(20)
param alwaysReadyDurableInstances int = 1

@description('Maximum instance count of the Flex Consumption app.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Instance memory (MB).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

// --- Durable ------------------------------------------------------------------------------------

@description('Task hub name (DURABLE_TASK_HUB_NAME): letters and digits, starting with a letter, 3-45 characters. Durable state lives in the AzureWebJobsStorage account (the Azure Storage backend).')
@minLength(3)
@maxLength(45)
param durableTaskHubName string = 'inventoryhub'

// --- Data ----------------------------------------------------------------------------------------

@description('Cosmos DB capacity: serverless (default) or autoscale provisioned throughput.')
@allowed([
  'serverless'
  'autoscale'
])
param cosmosCapacityMode string = 'serverless'

@description('Autoscale max RU/s shared by the database (cosmosCapacityMode autoscale).')
@minValue(1000)
param cosmosAutoscaleMaxThroughput int = 1000

// --- Operations ---------------------------------------------------------------------------------

@description('E-mail notified by the alert rules. Empty: no action group.')
param alertEmail string = ''

@description('Log Analytics retention (days).')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Key Vault purge protection (graphAuthMode clientSecret only). Off by default so that `azd down --purge` frees the vault name; once on it cannot be turned off, and the name stays reserved for keyVaultSoftDeleteRetentionInDays after `azd down`.')
param keyVaultPurgeProtection bool = false

@description('Days a deleted Key Vault (and its secret) stays recoverable (graphAuthMode clientSecret only).')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 7

@description('Changes the Key Vault name (graphAuthMode clientSecret only). Set any new value after an `azd down` without --purge while the old vault is still soft-deleted, or purge it (docs/deploy.md).')
param keyVaultNameSeed string = ''

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

var token = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'tenant-inventory'
}
var names = {
  resourceGroup: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  identity: 'id-inventory-${token}'
  logAnalytics: 'log-inventory-${token}'
  applicationInsights: 'appi-inventory-${token}'
  storage: 'stinv${token}'
  cosmos: 'cosmos-inventory-${token}'
  keyVault: 'kv-inv-${take(empty(keyVaultNameSeed) ? token : toLower(uniqueString(token, keyVaultNameSeed)), 13)}'
  plan: 'plan-inventory-${token}'
  functionApp: 'func-inventory-${token}'
  prefix: 'inventory-${token}'
}
var deploymentContainerName = 'app-package-${token}'
var cosmosDatabaseName = 'inventory'
var tenantsTableName = 'tenants'
// Only the clientSecret mode reads a secret (a Key Vault reference); federated needs none, and
// certificate mode reads a PEM file path (docs/deploy.md §7). No vault otherwise: nothing to
// soft-delete, nothing to collide with on the next `azd up`.
var useKeyVault = graphAuthMode == 'clientSecret'

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    tenantsTableName: tenantsTableName
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: names.cosmos
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    capacityMode: cosmosCapacityMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
  }
}

module keyVault 'modules/keyVault.bicep' = if (useKeyVault) {
  name: 'keyVault'
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    enablePurgeProtection: keyVaultPurgeProtection
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
  }
}

module roles 'modules/roleAssignments.bicep' = {
  name: 'roleAssignments'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    storageAccountName: storage.outputs.name
    cosmosAccountName: cosmos.outputs.name
    cosmosDatabaseName: cosmos.outputs.databaseName
    keyVaultName: useKeyVault ? names.keyVault : ''
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
  dependsOn: [
    keyVault
  ]
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  scope: rg
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    nodeVersion: nodeVersion
    alwaysReadyDurableInstances: alwaysReadyDurableInstances
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    durableTaskHubName: durableTaskHubName
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmosDatabaseName
    tenantsTableName: tenantsTableName
    graphBaseUrl: graphBaseUrl
    graphAuthMode: graphAuthMode
    graphClientId: graphClientId
    keyVaultName: names.keyVault
    graphClientSecretName: graphClientSecretName
    graphCertificatePath: graphCertificatePath
    graphRequestTimeoutMs: graphRequestTimeoutMs
    graphMaxAttempts: graphMaxAttempts
    syncSchedule: syncSchedule
    watchdogSchedule: watchdogSchedule
    syncMaxConcurrentRuns: syncMaxConcurrentRuns
    syncMaxConcurrentRunsPerTenant: syncMaxConcurrentRunsPerTenant
    syncMaxParallelTypes: syncMaxParallelTypes
    syncLeaseSeconds: syncLeaseSeconds
    syncNightlyWaitSeconds: syncNightlyWaitSeconds
    changesRetentionDays: changesRetentionDays
    // Sign-in makes the principal the gate (shared/config/settings.ts principalIsTheGate): with
    // App Service authentication on, the routes register anonymous and every one checks the role.
    authRequirePrincipal: authRequirePrincipal || !empty(signInClientId)
    signInClientId: signInClientId
    signInTenantId: empty(signInTenantId) ? tenant().tenantId : signInTenantId
  }
  // The app starts with its permissions in place (Key Vault references, storage, Cosmos DB).
  dependsOn: [
    roles
  ]
}

module observability 'modules/observability.bicep' = {
  name: 'observability'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    namePrefix: names.prefix
    syncLeaseSeconds: syncLeaseSeconds
    alertEmail: alertEmail
  }
}

// ---------------------------------------------------------------------------------------------
// Outputs (azd stores them in the environment: `azd env get-values`)
// ---------------------------------------------------------------------------------------------

@description('Region of the deployment.')
output AZURE_LOCATION string = location

@description('Entra tenant of the subscription (home tenant of the app registration and the identity).')
output AZURE_TENANT_ID string = tenant().tenantId

@description('Resource group of every resource.')
output AZURE_RESOURCE_GROUP string = rg.name

@description('Function App name (azd deploy target).')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('Base URL of the HTTP API (routes under /api, see docs/api.md).')
output API_BASE_URL string = 'https://${functionApp.outputs.defaultHostName}/api'

@description('The web console (sign-in with Entra ID when signInClientId is set).')
output CONSOLE_URL string = 'https://${functionApp.outputs.defaultHostName}/api/console/'

@description('Redirect URI to register on the sign-in app registration (platform Web, ID tokens on).')
output SIGN_IN_REDIRECT_URI string = 'https://${functionApp.outputs.defaultHostName}/.auth/login/aad/callback'

@description('The command that prints the function key every route but /health and /openapi.json needs (header x-functions-key).')
output FUNCTION_KEY_COMMAND string = 'az functionapp keys list --resource-group ${rg.name} --name ${functionApp.outputs.name} --query functionKeys.default --output tsv'

@description('Client id of the app\'s user-assigned identity: the GRAPH_FEDERATED_CLIENT_ID.')
output AZURE_IDENTITY_CLIENT_ID string = identity.outputs.clientId

@description('Object (principal) id of the identity: the subject of the app registration\'s federated credential.')
output AZURE_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId

@description('Cosmos DB endpoint (COSMOS_ENDPOINT) — usable locally with `az login` when principalId was given.')
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint

@description('Table service endpoint (TABLES_ENDPOINT).')
output TABLES_ENDPOINT string = storage.outputs.tableEndpoint

@description('Key Vault holding the Graph client secret (graphAuthMode clientSecret); empty in the other modes, which create no vault.')
output AZURE_KEY_VAULT_NAME string = useKeyVault ? names.keyVault : ''

@description('Application Insights connection string (not a secret; ingestion needs an Entra token).')
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString

@description('Resource id of the inventory workbook.')
output WORKBOOK_ID string = observability.outputs.workbookId

@description('Azure portal link that opens the inventory workbook.')
output WORKBOOK_URL string = '${environment().portal}/#@${tenant().tenantId}/resource${observability.outputs.workbookId}/workbook'
