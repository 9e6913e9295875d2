// Event Grid subscription: Azure ML job status events of the existing workspace -> the function
// jobStatusChangedTrigger, which wakes the run waiting on that job (it then confirms with a GET).
// Deployed into the workspace's resource group (main.bicep sets the scope). Same chicken-and-egg
// rule as eventgrid-blob.bicep: the function must exist first.

param workspaceName string
param functionAppId string
@description('Unique per environment (main.bicep: scoring-job-status-<resourceToken>): a second environment with the same name would take over this one.')
param subscriptionName string

resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-04-01' existing = {
  name: workspaceName
}

resource jobStatus 'Microsoft.EventGrid/eventSubscriptions@2022-06-15' = {
  name: subscriptionName
  scope: workspace
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/jobStatusChangedTrigger'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.MachineLearningServices.RunStatusChanged'
        // The trigger also handles RunCompleted (src/events/jobStatusEvents.ts).
        'Microsoft.MachineLearningServices.RunCompleted'
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 10
      eventTimeToLiveInMinutes: 60 // a late hint is worthless: the safety poll reads the job anyway
    }
  }
}

output name string = jobStatus.name
