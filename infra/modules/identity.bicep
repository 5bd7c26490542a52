// User-assigned managed identity: the one principal the Function App uses for every data plane
// (Storage, Cosmos DB, Key Vault, Application Insights ingestion) and, in
// GRAPH_AUTH_MODE=federated, as the federated credential of the Graph app registration.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id (for identity assignment and Key Vault reference identity).')
output id string = identity.id

@description('Client (application) id: AzureWebJobsStorage__clientId, GRAPH_FEDERATED_CLIENT_ID, ClientId= of Entra auth strings.')
output clientId string = identity.properties.clientId

@description('Object (principal) id: the principal of every role assignment, and the subject of the Graph federated credential.')
output principalId string = identity.properties.principalId

output name string = identity.name
