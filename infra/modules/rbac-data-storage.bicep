// A data-plane role for the app's identity on one existing storage account that holds scoring
// inputs or outputs. Deployed into that account's resource group (main.bicep sets the scope).

@description('Name of an existing storage account in this resource group.')
param storageAccountName string
param principalId string
@description('read: inputs (pre-flight reads, blob URLs given as inputs). write: outputs (pre-flight checks that the output does not exist yet; the job\'s writes when the datastore has no stored credentials).')
@allowed(['read', 'write'])
param access string

// Inputs: the pre-flight (activity preflightScoringRun, @azure/storage-blob) lists and reads the
// input blobs of `https://` / `abfss://` inputs and of datastores without stored credentials.
var storageBlobDataReaderRoleId = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1' // Storage Blob Data Reader
// Outputs: the pre-flight reads the output path (must not exist yet) and, for identity-based
// datastores, the job writes the predictions file under the invoking identity.
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor

var roleId = access == 'write' ? storageBlobDataContributorRoleId : storageBlobDataReaderRoleId

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, roleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
