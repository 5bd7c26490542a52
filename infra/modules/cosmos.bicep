// Cosmos DB for NoSQL: account with local (key) authentication disabled, database `inventory`,
// containers `inventoryItems` and `syncRuns`, both partitioned on /tenantId (every query of the
// store is single-partition), and `baselines`, partitioned on /baselineId. Item `meta` is whitelisted free-form data that no query filters on,
// so it is excluded from indexing (cheaper writes, smaller index).
// Names must match shared/store/names.ts (test/unit/infra/main.test.ts checks it).

@description('Cosmos DB account name (3-44 lower-case letters, digits, hyphens).')
@minLength(3)
@maxLength(44)
param name string

@description('Azure region (single write region).')
param location string

@description('Tags applied to the account.')
param tags object = {}

@description('Database name (COSMOS_DATABASE).')
param databaseName string = 'inventory'

@description('serverless: pay per request, no capacity to manage (default). autoscale: provisioned throughput shared by the database, scaling between 10% and 100% of cosmosAutoscaleMaxThroughput.')
@allowed([
  'serverless'
  'autoscale'
])
param capacityMode string = 'serverless'

@description('Autoscale maximum RU/s of the database when capacityMode is autoscale (ignored for serverless).')
@minValue(1000)
param autoscaleMaxThroughput int = 1000

var isServerless = capacityMode == 'serverless'

// Shared by the containers: index everything but item meta and the system etag.
var excludedPaths = [
  { path: '/meta/*' }
  { path: '/"_etag"/?' }
]

var containers = [
  {
    name: 'inventoryItems'
    partitionKeyPath: '/tenantId'
    compositeIndexes: []
    // Items are never expired: TTL stays off.
    defaultTtl: null
  }
  {
    name: 'syncRuns'
    partitionKeyPath: '/tenantId'
    // TTL on, nothing expiring by default: runs and claims carry no `ttl` and are kept; change
    // documents carry `ttl` (CHANGES_RETENTION_DAYS) and expire. An item's `ttl` only counts
    // when the container's default TTL is set (-1 or n), never when it is absent.
    defaultTtl: -1
    // Run listings: newest first, optionally filtered by selection or status.
    compositeIndexes: [
      [
        { path: '/selectionHash', order: 'ascending' }
        { path: '/requestedAt', order: 'descending' }
      ]
      [
        { path: '/status', order: 'ascending' }
        { path: '/requestedAt', order: 'descending' }
      ]
    ]
  }
  {
    // Baselines belong to the MSP, not to a tenant: partitioned on their own id, so a baseline's
    // head and item chunks are one partition (docs/architecture.md "Baselines").
    name: 'baselines'
    partitionKeyPath: '/baselineId'
    compositeIndexes: []
    defaultTtl: null
  }
]

resource account 'Microsoft.DocumentDB/databaseAccounts@2025-04-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    capabilities: isServerless ? [{ name: 'EnableServerless' }] : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    enableAutomaticFailover: false
    enableFreeTier: false
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2025-04-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    options: isServerless ? {} : {
      autoscaleSettings: {
        maxThroughput: autoscaleMaxThroughput
      }
    }
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-04-15' = [
  for c in containers: {
    parent: database
    name: c.name
    properties: {
      resource: {
        id: c.name
        partitionKey: {
          paths: [
            c.partitionKeyPath
          ]
          kind: 'Hash'
          version: 2
        }
        indexingPolicy: {
          indexingMode: 'consistent'
          automatic: true
          includedPaths: [
            { path: '/*' }
          ]
          excludedPaths: excludedPaths
          compositeIndexes: c.compositeIndexes
        }
        // null: TTL off (Cosmos treats a missing or null defaultTtl alike).
        defaultTtl: c.defaultTtl
      }
    }
  }
]

output id string = account.id
output name string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
output containerNames array = [for c in containers: c.name]
