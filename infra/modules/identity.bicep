// The one user-assigned managed identity the app uses for everything: host storage, the
// deployment package, Application Insights, Azure ML (invoke, status, cancel, datastores) and the
// input/output storage accounts. The app reads its client id from AZURE_CLIENT_ID.

param name string
param location string
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
