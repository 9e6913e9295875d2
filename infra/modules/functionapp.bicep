// Flex Consumption plan + the Function App (Linux, Node 22) that runs this repository's
// `npm run build` output. Shaped after Azure-Samples/durable-functions-quickstart-typescript-azd
// and Azure-Samples/azure-functions-flex-consumption-samples (IaC/bicep), with plain resources
// instead of Azure Verified Modules so nothing is fetched from a registry at build time.
//
// Flex Consumption does not take FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION,
// WEBSITE_RUN_FROM_PACKAGE or WEBSITE_NODE_DEFAULT_VERSION app settings: the runtime and the
// deployment package are set in functionAppConfig instead
// (https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations).

param planName string
param functionAppName string
param location string
param tags object = {}
@description('azd finds the app to deploy to by this tag: it must equal the service name in azure.yaml.')
param serviceName string = 'api'

param identityId string
param identityClientId string

param storageAccountName string
param deploymentContainerName string
param applicationInsightsConnectionString string

@description('The app settings this repository reads (src/config.ts), built in main.bicep.')
param appSettings object

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
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
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          // azd uploads the zip here; the host reads it with the managed identity.
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// Host storage, identity-based (Durable Functions >= 2.7 supports it with the Azure Storage
// provider): one URI per service + managed identity + which user-assigned identity. No connection
// string. Service URIs rather than the account name, which the host would complete with the
// public cloud's suffix: the account's own endpoints are right in every cloud. Durable needs all
// three (blobs: leases and large messages, queues: control and work items, tables: history).
var hostStorageSettings = {
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
}

// Application Insights with Entra ID authentication (local auth is disabled on the component).
var monitoringSettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

// One resource owns all app settings: `azd provision` rewrites them, so change settings through
// `azd env set` + `azd provision`, not in the portal (a portal edit is lost at the next provision).
resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(appSettings, hostStorageSettings, monitoringSettings)
}

output name string = functionApp.name
output id string = functionApp.id
output defaultHostName string = functionApp.properties.defaultHostName
