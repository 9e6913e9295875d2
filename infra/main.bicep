// Batch scoring orchestrator on Azure: `azd up` entry point (see infra/README.md).
//
// Creates, in a new resource group: a user-assigned managed identity, a storage account (host
// storage + Durable task hub + deployment package, no shared keys), Log Analytics + Application
// Insights, and a Flex Consumption Function App (Node 22). Grants the identity what the app needs
// on the existing Azure ML workspace and on the existing storage accounts that hold inputs and
// outputs. Optionally subscribes the app's Event Grid functions to BlobCreated and Azure ML job
// events (second `azd provision`, after the first deploy: see deployEventSubscriptions).
//
// Same shape as Azure-Samples/durable-functions-quickstart-typescript-azd and
// Azure-Samples/azure-functions-flex-consumption-samples, with plain resources instead of AVM.
targetScope = 'subscription'

// ---------------------------------------------------------------- azd
@minLength(1)
@maxLength(64)
@description('azd environment name: names the resource group and seeds unique resource names.')
param environmentName string

@minLength(1)
@description('Region for the new resources. It must offer Flex Consumption: az functionapp list-flexconsumption-locations.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group to create. Default: rg-<environmentName>.')
param resourceGroupName string = ''

// ---------------------------------------------------------------- Azure ML (existing)
@minLength(1)
@description('Name of the existing Azure Machine Learning workspace that hosts the batch endpoints.')
param amlWorkspaceName string

@minLength(1)
@description('Resource group of that workspace. It must be in the subscription you deploy to.')
param amlWorkspaceResourceGroup string

@description('What the identity gets on the workspace: the built-in AzureML Data Scientist role, or a custom role with only the batch invoke, job read/list/cancel and datastore read actions (modules/rbac-workspace.bicep).')
@allowed([
  'AzureMLDataScientist'
  'Custom'
])
param amlWorkspaceRole string = 'AzureMLDataScientist'

// ---------------------------------------------------------------- storage with inputs and outputs (existing)
@description('Storage accounts that hold scoring inputs, comma-separated: "account" (in the workspace\'s resource group) or "resourceGroup/account". The identity gets Storage Blob Data Reader on each.')
param inputStorageAccounts string = ''

@description('Storage accounts behind the output datastores, same format. The identity gets Storage Blob Data Contributor on each.')
param outputStorageAccounts string = ''

// ---------------------------------------------------------------- app settings (src/config.ts)
@description('SCORING_ALLOWED_HOSTS: host patterns an endpoint URI may use; empty: the app allows its cloud\'s batch endpoint hosts (*.inference.ml.azure.com in public Azure).')
param scoringAllowedHosts string = ''

@description('SCORING_CALLBACK_HOSTS: host patterns a callBackUri or notify webhook may use; empty: the app\'s default, Data Factory\'s domain (*.datafactory.azure.com).')
param scoringCallbackHosts string = ''

@description('SCORING_DEFAULT_POLL_SECONDS: poll interval of requests that give none.')
param scoringDefaultPollSeconds string = '120'

@description('SCORING_POLL_MODE: adaptive (fast at first and while Finalizing) or fixed (every interval, as the seed pipeline did).')
@allowed([
  'adaptive'
  'fixed'
])
param scoringPollMode string = 'adaptive'

@description('SCORING_MAX_POLLS_PER_EXECUTION: polls before continueAsNew (bounded history).')
param scoringMaxPollsPerExecution string = '10'

@description('SCORING_EVENT_SAFETY_POLL_SECONDS: with job events subscribed, the longest wait between safety polls (which follow the adaptive curve).')
param scoringEventSafetyPollSeconds string = '900'

@description('SCORING_QUEUED_WARNING_SECONDS: a job still queued this long after its invoke gets a warning naming quota or compute (60-2592000).')
param scoringQueuedWarningSeconds string = '1800'

@description('SCORING_ARM_READS_PER_SECOND: ARM reads per second all runs together may make; ARM refills 25 per subscription and principal (1-1000).')
param scoringArmReadsPerSecond string = '15'

@description('SCORING_MAX_JOBS_PER_ENDPOINT: live Azure ML jobs per endpoint (scoring URI + deployment) over all runs and batches; 0: no limit (0-10000).')
param scoringMaxJobsPerEndpoint string = '0'

@description('SCORING_BATCH_CHILDREN_PER_EXECUTION: children a batch starts per orchestrator execution before it drains and continues as new (1-1000).')
param scoringBatchChildrenPerExecution string = '100'

@description('SCORING_CONSOLE_READ_ONLY: true hides the runs console\'s Cancel and Rerun buttons (docs/console.md); the API itself is unchanged.')
@allowed(['true', 'false'])
param scoringConsoleReadOnly string = 'false'

@description('SCORING_RETENTION_DAYS: the timer purgeOldRuns purges the durable history of runs that ended more than this many days ago (1-3650; 0 or off keeps every run).')
param scoringRetentionDays string = '30'

@description('SCORING_RETENTION_BATCH: at most this many runs purged per purgeOldRuns invocation (1-5000).')
param scoringRetentionBatch string = '500'

@description('SCORING_RETENTION_SCHEDULE: purgeOldRuns\' 6-field NCRONTAB schedule (UTC), read when the app starts. Empty: the app\'s default, 0 17 3 * * * (daily 03:17).')
param scoringRetentionSchedule string = ''

// ---------------------------------------------------------------- blob trigger (optional)
@description('BLOB_TRIGGER_ENDPOINT_URI: scoring URI a BlobCreated event invokes. Empty: blob events start nothing.')
param blobTriggerEndpointUri string = ''
@description('BLOB_TRIGGER_DEPLOYMENT: deployment to use; empty for the endpoint default.')
param blobTriggerDeployment string = ''
@description('BLOB_TRIGGER_CONTAINER: container whose new blobs start runs.')
param blobTriggerContainer string = ''
@description('BLOB_TRIGGER_PREFIX: path prefix inside the container (no leading slash).')
param blobTriggerPrefix string = ''
@description('BLOB_TRIGGER_SUFFIX: path suffix, e.g. .csv.')
param blobTriggerSuffix string = ''
@description('BLOB_TRIGGER_INPUT_MODE: file (the blob is the input) or folder (a marker blob starts a run on its folder).')
@allowed([
  'file'
  'folder'
])
param blobTriggerInputMode string = 'file'
@description('BLOB_TRIGGER_MARKER: marker blob name in folder mode.')
param blobTriggerMarker string = '_SUCCESS'
@description('BLOB_TRIGGER_OUTPUT_TEMPLATE: azureml://datastores/<ds>/paths/<file> with {blobName} {blobPath} {runId} {date}.')
param blobTriggerOutputTemplate string = ''
@description('BLOB_TRIGGER_POLL_SECONDS: poll interval of these runs; empty for SCORING_DEFAULT_POLL_SECONDS.')
param blobTriggerPollSeconds string = ''
@description('BLOB_TRIGGER_DATASTORE: datastore that stands for the trigger container; inputs become datastore paths.')
param blobTriggerDatastore string = ''
@description('BLOB_TRIGGER_BATCH_WINDOW_SECONDS: above 0, one run per folder per window of this many seconds; empty or 0 for one run per blob.')
param blobTriggerBatchWindowSeconds string = ''
@description('BLOB_TRIGGER_BATCH_MAX_FILES: a window closes early at this many files (1 to 1000); empty for 100.')
param blobTriggerBatchMaxFiles string = ''
@description('Storage account the BlobCreated subscription listens to: "account" or "resourceGroup/account". Also list it in inputStorageAccounts.')
param blobTriggerStorageAccount string = ''

// ---------------------------------------------------------------- Event Grid (second provision)
@description('Create the Event Grid subscriptions. Keep false for the first `azd up`: Event Grid validates an Azure Function endpoint when the subscription is created, and the functions exist only after `azd deploy`. Then `azd env set DEPLOY_EVENT_SUBSCRIPTIONS true` and `azd provision`.')
param deployEventSubscriptions bool = false

@description('With deployEventSubscriptions: subscribe jobStatusChangedTrigger to the workspace\'s job events and set SCORING_JOB_EVENTS=true.')
param subscribeJobStatusEvents bool = true

// ---------------------------------------------------------------- Durable backend
@description('Where Durable Functions keeps run state. AzureStorage: the app\'s storage account (default; host.json as it is). DurableTaskScheduler: also creates a Durable Task Scheduler (Consumption SKU) and sets DURABLE_TASK_SCHEDULER_CONNECTION_STRING; copy infra/host/host.durable-task-scheduler.json over host.json before `azd deploy`. See infra/DURABLE_BACKENDS.md.')
@allowed([
  'AzureStorage'
  'DurableTaskScheduler'
])
param durableBackend string = 'AzureStorage'

@description('Region of the Durable Task Scheduler (not every region offers it). Default: location.')
param durableTaskSchedulerLocation string = ''

// ---------------------------------------------------------------- Flex Consumption
@description('Instance memory. 2048 MB is the Flex Consumption default and what infra/README.md\'s cost figures assume.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

// ---------------------------------------------------------------- names
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var amlWorkspaceId = '/subscriptions/${subscription().subscriptionId}/resourceGroups/${amlWorkspaceResourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${amlWorkspaceName}'

// "a, rg/b" -> [{resourceGroup: <workspace rg>, name: 'a'}, {resourceGroup: 'rg', name: 'b'}]
var inputAccounts = map(filter(split(inputStorageAccounts, ','), entry => !empty(trim(entry))), entry => {
  resourceGroup: contains(entry, '/') ? trim(split(entry, '/')[0]) : amlWorkspaceResourceGroup
  name: trim(last(split(entry, '/')))
})
var outputAccounts = map(filter(split(outputStorageAccounts, ','), entry => !empty(trim(entry))), entry => {
  resourceGroup: contains(entry, '/') ? trim(split(entry, '/')[0]) : amlWorkspaceResourceGroup
  name: trim(last(split(entry, '/')))
})
var blobTriggerAccount = {
  resourceGroup: contains(blobTriggerStorageAccount, '/') ? trim(split(blobTriggerStorageAccount, '/')[0]) : amlWorkspaceResourceGroup
  name: trim(last(split(blobTriggerStorageAccount, '/')))
}

var deployBlobSubscription = deployEventSubscriptions && !empty(trim(blobTriggerStorageAccount)) && !empty(blobTriggerContainer)
var jobEventsOn = deployEventSubscriptions && subscribeJobStatusEvents

// ---------------------------------------------------------------- app settings
// Every setting src/config.ts reads is set here or listed as optional in infra/README.md
// (test/infra/settings.test.ts). Platform settings (AzureWebJobsStorage__*, APPLICATIONINSIGHTS_*)
// are added in modules/functionapp.bicep.
var coreSettings = {
  AZURE_CLIENT_ID: identity.outputs.clientId // the app's credential: ManagedIdentityCredential({clientId})
  AML_WORKSPACE_ID: amlWorkspaceId // lets a lost invoke answer be reconciled by clientInvokeId
  AML_ARM_ENDPOINT: environment().resourceManager // https://management.azure.com/ in public Azure
  SCORING_ALLOW_LOOPBACK: 'false' // never in Azure
  SCORING_DEFAULT_POLL_SECONDS: scoringDefaultPollSeconds
  SCORING_POLL_MODE: scoringPollMode
  SCORING_MAX_POLLS_PER_EXECUTION: scoringMaxPollsPerExecution
  SCORING_JOB_EVENTS: jobEventsOn ? 'true' : 'false' // true only once the RunStatusChanged subscription exists
  SCORING_EVENT_SAFETY_POLL_SECONDS: scoringEventSafetyPollSeconds
  SCORING_QUEUED_WARNING_SECONDS: scoringQueuedWarningSeconds
  SCORING_MAX_JOBS_PER_ENDPOINT: scoringMaxJobsPerEndpoint
  SCORING_ARM_READS_PER_SECOND: scoringArmReadsPerSecond
  SCORING_BATCH_CHILDREN_PER_EXECUTION: scoringBatchChildrenPerExecution
  SCORING_RETENTION_DAYS: scoringRetentionDays
  SCORING_RETENTION_BATCH: scoringRetentionBatch
  SCORING_RETENTION_SCHEDULE: scoringRetentionSchedule
  SCORING_CONSOLE_READ_ONLY: scoringConsoleReadOnly
}
// Unset, the app derives the allowed hosts from AML_ARM_ENDPOINT's cloud (sovereign clouds too).
var allowedHostsSettings = empty(scoringAllowedHosts) ? {} : {
  SCORING_ALLOWED_HOSTS: scoringAllowedHosts
}
// Unset, completion callbacks may go to Data Factory's domain only (docs/azure-behaviour.md#webhook-callbacks).
var callbackHostsSettings = empty(scoringCallbackHosts) ? {} : {
  SCORING_CALLBACK_HOSTS: scoringCallbackHosts
}
// Read by the Functions host (host.durable-task-scheduler.json: connectionStringName), not by src/.
// `!`: the module is conditional (Bicep types it `module | null`), and this branch runs only when it is deployed.
var durableBackendSettings = durableBackend == 'DurableTaskScheduler' ? {
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${durableTaskScheduler!.outputs.endpoint};Authentication=ManagedIdentity;ClientID=${identity.outputs.clientId}'
} : {}
var blobTriggerSettings = empty(blobTriggerEndpointUri) ? {} : {
  BLOB_TRIGGER_ENDPOINT_URI: blobTriggerEndpointUri
  BLOB_TRIGGER_DEPLOYMENT: blobTriggerDeployment
  BLOB_TRIGGER_CONTAINER: blobTriggerContainer
  BLOB_TRIGGER_PREFIX: blobTriggerPrefix
  BLOB_TRIGGER_SUFFIX: blobTriggerSuffix
  BLOB_TRIGGER_INPUT_MODE: blobTriggerInputMode
  BLOB_TRIGGER_MARKER: blobTriggerMarker
  BLOB_TRIGGER_OUTPUT_TEMPLATE: blobTriggerOutputTemplate
  BLOB_TRIGGER_POLL_SECONDS: blobTriggerPollSeconds
  BLOB_TRIGGER_DATASTORE: blobTriggerDatastore
  BLOB_TRIGGER_BATCH_WINDOW_SECONDS: blobTriggerBatchWindowSeconds
  BLOB_TRIGGER_BATCH_MAX_FILES: blobTriggerBatchMaxFiles
}

// ---------------------------------------------------------------- resources
resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module durableTaskScheduler 'modules/durable-task-scheduler.bicep' = if (durableBackend == 'DurableTaskScheduler') {
  name: 'durable-task-scheduler'
  scope: rg
  params: {
    name: 'dts-${resourceToken}'
    location: !empty(durableTaskSchedulerLocation) ? durableTaskSchedulerLocation : location
    tags: tags
    taskHubName: 'BatchScoringHub' // = extensions.durableTask.hubName in host.json
    principalId: identity.outputs.principalId
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    planName: 'plan-${resourceToken}'
    functionAppName: functionAppName
    location: location
    tags: tags
    serviceName: 'api'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    appSettings: union(coreSettings, allowedHostsSettings, callbackHostsSettings, blobTriggerSettings, durableBackendSettings)
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
  }
  // The host reaches its storage with the identity from its first start: without this, the site
  // can start before its blob, queue and table roles exist and fail its first runs.
  dependsOn: [
    hostRoles
  ]
}

// ---------------------------------------------------------------- role assignments (least privilege: no Owner, no Contributor)
module hostRoles 'modules/rbac-host.bicep' = {
  name: 'host-roles'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    principalId: identity.outputs.principalId
  }
}

module workspaceRole 'modules/rbac-workspace.bicep' = {
  name: 'aml-workspace-role-${resourceToken}'
  scope: resourceGroup(amlWorkspaceResourceGroup)
  params: {
    workspaceName: amlWorkspaceName
    principalId: identity.outputs.principalId
    role: amlWorkspaceRole
  }
}

module inputRoles 'modules/rbac-data-storage.bicep' = [for (account, i) in inputAccounts: {
  name: 'input-reader-${i}-${resourceToken}'
  scope: resourceGroup(account.resourceGroup)
  params: {
    storageAccountName: account.name
    principalId: identity.outputs.principalId
    access: 'read'
  }
}]

module outputRoles 'modules/rbac-data-storage.bicep' = [for (account, i) in outputAccounts: {
  name: 'output-writer-${i}-${resourceToken}'
  scope: resourceGroup(account.resourceGroup)
  params: {
    storageAccountName: account.name
    principalId: identity.outputs.principalId
    access: 'write'
  }
}]

// ---------------------------------------------------------------- Event Grid (only after the first deploy)
module blobCreatedSubscription 'modules/eventgrid-blob.bicep' = if (deployBlobSubscription) {
  name: 'blob-created-subscription-${resourceToken}'
  scope: resourceGroup(blobTriggerAccount.resourceGroup)
  params: {
    storageAccountName: blobTriggerAccount.name
    functionAppId: functionApp.outputs.id
    // Named per environment: two environments on the same account keep their own subscription.
    subscriptionName: 'scoring-blob-created-${resourceToken}'
    container: blobTriggerContainer
    prefix: blobTriggerPrefix
    suffix: blobTriggerSuffix
  }
}

module jobStatusSubscription 'modules/eventgrid-aml.bicep' = if (jobEventsOn) {
  name: 'job-status-subscription-${resourceToken}'
  scope: resourceGroup(amlWorkspaceResourceGroup)
  params: {
    workspaceName: amlWorkspaceName
    functionAppId: functionApp.outputs.id
    // Named per environment: two environments on the same workspace keep their own subscription.
    subscriptionName: 'scoring-job-status-${resourceToken}'
  }
}

// ---------------------------------------------------------------- outputs (azd writes them to .azure/<env>/.env)
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AML_WORKSPACE_ID string = amlWorkspaceId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output EVENT_SUBSCRIPTIONS_DEPLOYED bool = deployEventSubscriptions
