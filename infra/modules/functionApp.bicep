// Flex Consumption plan + Function App (Node, programming model v4) running as the
// user-assigned identity, and its app settings.
//
// App settings are built from the `*Settings` objects below. Every key is either a key of
// SettingsSchema (shared/config/settings.ts) or a host setting on the allow-list of
// test/unit/infra/main.test.ts; the test fails on anything else, and on a required setting that is
// missing. There is no key, password or connection string with a secret anywhere: storage,
// Cosmos DB, Tables and Application Insights are all reached with
// the identity; Graph secrets (only in clientSecret mode) come from Key Vault references.

@description('Function App name (globally unique host name).')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region.')
param location string

@description('Tags applied to the plan and the app (the app also gets azd-service-name).')
param tags object = {}

@description('azd service name in azure.yaml that deploys to this app.')
param azdServiceName string = 'api'

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Node.js major version of the Flex Consumption runtime.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '22'

@description('Always-ready instances for the Durable Functions group (orchestrations, activities, entities scale together in Flex Consumption). 0 lets the group scale to zero.')
@minValue(0)
@maxValue(20)
param alwaysReadyDurableInstances int = 1

@description('Upper bound of instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Blob container URL that holds the deployment package.')
param deploymentContainerUrl string

@description('Blob, queue and table service URIs of the AzureWebJobsStorage account.')
param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string

@description('Application Insights connection string (identifies the component; ingestion is Entra-authenticated).')
param applicationInsightsConnectionString string

@description('Durable task hub name (host.json durableTask.hubName = %DURABLE_TASK_HUB_NAME%).')
param durableTaskHubName string


@description('Cosmos DB endpoint and database.')
param cosmosEndpoint string
param cosmosDatabaseName string

@description('Tenant registry table name.')
param tenantsTableName string

@description('Graph settings.')
param graphBaseUrl string
@allowed([
  'federated'
  'clientSecret'
  'certificate'
])
param graphAuthMode string
param graphClientId string
param keyVaultName string
param graphClientSecretName string
param graphCertificatePath string

@description('Graph request tuning.')
param graphRequestTimeoutMs int
param graphMaxAttempts int

@description('Sync settings (see shared/config/settings.ts for meaning and ranges).')
param syncSchedule string
param watchdogSchedule string
param syncMaxConcurrentRuns int
param syncMaxConcurrentRunsPerTenant int
param syncMaxParallelTypes int
param syncLeaseSeconds int
param syncNightlyWaitSeconds int
param changesRetentionDays int
param authRequirePrincipal bool

@description('Entra app registration people sign in with (App Service authentication); empty: none.')
param signInClientId string

@description('Entra tenant issuing the sign-in tokens.')
param signInTenantId string

var signIn = !empty(signInClientId)

// ---------------------------------------------------------------------------------------------
// App settings
// ---------------------------------------------------------------------------------------------

// Host-level settings: identity-based AzureWebJobsStorage (no AccountKey), Entra-authenticated
// Application Insights ingestion, the task hub name host.json reads, sampling that never drops
// the structured inventory events (they are traces; alerts count them), and AZURE_CLIENT_ID, which
// @azure/identity's DefaultAzureCredential reads to pick the user-assigned identity (there is no
// system-assigned one) for Cosmos DB and Tables.
var hostSettings = {
  AZURE_CLIENT_ID: identityClientId
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
  AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  DURABLE_TASK_HUB_NAME: durableTaskHubName
  AzureFunctionsJobHost__logging__applicationInsights__samplingSettings__excludedTypes: 'Request;Exception;Trace'
}

// Keys of SettingsSchema. COSMOS_KEY and TABLES_CONNECTION_STRING are deliberately absent:
// without them the code authenticates with DefaultAzureCredential (the identity, see above).
var inventorySettings = {
  COSMOS_ENDPOINT: cosmosEndpoint
  COSMOS_DATABASE: cosmosDatabaseName
  TABLES_ENDPOINT: storageTableEndpoint
  TABLES_TENANTS_TABLE: tenantsTableName
  GRAPH_BASE_URL: graphBaseUrl
  GRAPH_AUTH_MODE: graphAuthMode
  GRAPH_CLIENT_ID: graphClientId
  GRAPH_REQUEST_TIMEOUT_MS: string(graphRequestTimeoutMs)
  GRAPH_MAX_ATTEMPTS: string(graphMaxAttempts)
  SYNC_SCHEDULE: syncSchedule
  WATCHDOG_SCHEDULE: watchdogSchedule
  SYNC_MAX_CONCURRENT_RUNS: string(syncMaxConcurrentRuns)
  SYNC_MAX_CONCURRENT_RUNS_PER_TENANT: string(syncMaxConcurrentRunsPerTenant)
  SYNC_MAX_PARALLEL_TYPES: string(syncMaxParallelTypes)
  SYNC_LEASE_SECONDS: string(syncLeaseSeconds)
  SYNC_NIGHTLY_WAIT_SECONDS: string(syncNightlyWaitSeconds)
  CHANGES_RETENTION_DAYS: string(changesRetentionDays)
  // The ceiling the read side is built for; only tests lower it.
  BASELINE_MAX_ITEMS: '20000'
  AUTH_REQUIRE_PRINCIPAL: string(authRequirePrincipal)
}

// Exactly one of the three, by graphAuthMode.
// federated (default, secretless): the user-assigned identity's token is the client assertion.
var graphFederatedSettings = {
  GRAPH_FEDERATED_CLIENT_ID: identityClientId
}
// clientSecret: a Key Vault reference, resolved by the platform with keyVaultReferenceIdentity.
var graphClientSecretSettings = {
  GRAPH_CLIENT_SECRET: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${graphClientSecretName})'
}
// certificate: a PEM file path readable by the worker (see docs/deploy.md for the limits on Flex).
var graphCertificateSettings = {
  GRAPH_CLIENT_CERTIFICATE_PATH: graphCertificatePath
}

var graphAuthSettings = graphAuthMode == 'federated'
  ? graphFederatedSettings
  : (graphAuthMode == 'clientSecret' ? graphClientSecretSettings : graphCertificateSettings)

var appSettings = union(hostSettings, inventorySettings, graphAuthSettings)

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReadyDurableInstances > 0
          ? [
              {
                name: 'durable'
                instanceCount: alwaysReadyDurableInstances
              }
            ]
          : []
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

resource appSettingsConfig 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

// App Service authentication (Easy Auth) with Entra ID: people sign in to the web console, and
// machine callers (Logic Apps, the CLI) present Entra tokens for the same app registration. Every
// path needs a signed-in principal but the anonymous probes; a browser is sent to the sign-in
// page, a script (X-Requested-With: XMLHttpRequest, as the console sends) gets a 401. App Service
// strips any caller-supplied x-ms-client-principal and injects the validated one, whose `roles`
// claims (the app registration's app roles assigned to the person) the API checks per route.
// No client secret: sign-in uses the OpenID Connect flow that returns an ID token only, so no
// secret exists to rotate or leak (docs/deploy.md "Sign-in").
resource authSettings 'Microsoft.Web/sites/config@2025-03-01' = if (signIn) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: [
        '/api/health'
        '/api/openapi.json'
      ]
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: signInClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${signInTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            signInClientId
            'api://${signInClientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
    httpSettings: {
      requireHttps: true
    }
  }
}

// Identity only: no basic-auth (publishing profile) deployments; azd deploys with Entra.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output planId string = plan.id
