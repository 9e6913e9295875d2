// Optional Durable backend: a Durable Task Scheduler (Consumption SKU) with the task hub the app
// uses, and the data role for the app's identity. Only deployed with
// durableBackend=DurableTaskScheduler, together with host.json replaced by
// infra/host/host.durable-task-scheduler.json (see infra/DURABLE_BACKENDS.md). Shaped after
// infra/app/dts.bicep of Azure-Samples/durable-functions-quickstart-typescript-azd.

param name string
param location string
param tags object = {}
@description('Must equal extensions.durableTask.hubName in host.json.')
param taskHubName string = 'BatchScoringHub'
param principalId string

// Orchestrations, activities, timers and the dashboard's reads: every call the Durable
// extension's azureManaged provider makes to the scheduler, as the app's identity
// (DURABLE_TASK_SCHEDULER_CONNECTION_STRING, Authentication=ManagedIdentity).
var durableTaskDataContributorRoleId = '0ad04412-c4d5-4796-b79c-f76d14c8d402' // Durable Task Data Contributor

resource scheduler 'Microsoft.DurableTask/schedulers@2026-02-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    ipAllowlist: [
      '0.0.0.0/0'
    ]
    sku: {
      name: 'Consumption'
    }
  }

  resource taskHub 'taskHubs' = {
    name: taskHubName
  }
}

resource dataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(scheduler.id, principalId, durableTaskDataContributorRoleId)
  scope: scheduler
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributorRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = scheduler.properties.endpoint
output taskHubName string = scheduler::taskHub.name
