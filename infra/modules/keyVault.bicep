// Key Vault in RBAC mode for the Graph app registration's client secret: deployed only when
// GRAPH_AUTH_MODE is clientSecret (federated mode needs no secret at all). The Function App reads
// it through Key Vault references resolved with its user-assigned identity (Key Vault Secrets
// User, assigned in roleAssignments.bicep). No access policies.

@description('Key Vault name (3-24 letters, digits, hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the vault.')
param tags object = {}

@description('Purge protection cannot be turned off once on; with it, `azd down --purge` cannot free the name.')
param enablePurgeProtection bool = false

@description('Days a deleted vault stays recoverable (7-90).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 7

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
