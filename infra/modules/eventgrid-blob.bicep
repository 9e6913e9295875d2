// Event Grid subscription: BlobCreated on an existing input storage account -> the function
// blobCreatedTrigger (Azure Function endpoint: Event Grid authenticates with the app's system key
// and the Functions host answers the validation handshake). Deployed into the storage account's
// resource group (main.bicep sets the scope).
//
// The subscription is an extension resource on the account rather than a new system topic: an
// account has at most one system topic, and an existing input account may already have one. Event
// Grid creates or reuses it.
//
// The function must already exist: Event Grid checks the endpoint when the subscription is
// created. That is why main.bicep only deploys this after the first `azd deploy`
// (deployEventSubscriptions=true, then `azd provision` again).

param storageAccountName string
param functionAppId string
@description('Unique per environment (main.bicep: scoring-blob-created-<resourceToken>): a second environment with the same name would take over this one.')
param subscriptionName string
@description('Container whose new blobs start a run (same value as BLOB_TRIGGER_CONTAINER).')
param container string
@description('Path prefix inside the container, no leading slash (same as BLOB_TRIGGER_PREFIX).')
param prefix string = ''
@description('Path suffix, e.g. .csv or _SUCCESS (same as BLOB_TRIGGER_SUFFIX).')
param suffix string = ''

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobCreated 'Microsoft.EventGrid/eventSubscriptions@2022-06-15' = {
  name: subscriptionName
  scope: storage
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/blobCreatedTrigger'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${container}/blobs/${prefix}'
      subjectEndsWith: suffix
      // Completed writes only (an ADLS CreateFile is followed by FlushWithClose, an SFTP upload
      // ends with SftpCommit). The app applies the same filters itself and logs what it ignores;
      // these save deliveries.
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.api'
          values: [
            'PutBlob'
            'PutBlockList'
            'CopyBlob'
            'FlushWithClose'
            'SftpCommit'
          ]
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output name string = blobCreated.name
