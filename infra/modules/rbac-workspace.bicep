// What the app's identity needs on the existing Azure ML workspace. Deployed into the workspace's
// resource group (main.bicep sets the scope). Calls the app makes (src/batch/):
//   1. invoke        POST https://<endpoint>.<region>.inference.ml.azure.com/jobs   (scope https://ml.azure.com)
//                    creates a batch deployment job under this identity
//   2. status        GET  {ARM}/.../workspaces/<ws>/jobs/<name>                       (scope https://management.azure.com)
//   3. list          GET  {ARM}/.../workspaces/<ws>/jobs?properties=clientInvokeId... (finds the job a lost invoke answer created)
//   4. cancel        POST {ARM}/.../workspaces/<ws>/jobs/<name>/cancel
//   5. pre-flight    GET  {ARM}/.../workspaces/<ws>/datastores/<ds>  and  .../data/<name>/versions/<v>
//
// role = 'AzureMLDataScientist' (default): the built-in role covers all five; it allows every
// action inside the workspace except creating/deleting compute and changing the workspace.
// role = 'Custom': a role definition with only what these calls need (creating it needs
// Microsoft.Authorization/roleDefinitions/write on the workspace's resource group, e.g. Owner or
// User Access Administrator there, for whoever runs `azd provision`).

param workspaceName string
param principalId string
@allowed(['AzureMLDataScientist', 'Custom'])
param role string = 'AzureMLDataScientist'

var azureMLDataScientistRoleId = 'f6c7c914-8db3-469d-8ca1-694a8f32e121' // AzureML Data Scientist

resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-04-01' existing = {
  name: workspaceName
}

// Calls 1-5 with the built-in role.
resource dataScientist 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (role == 'AzureMLDataScientist') {
  name: guid(workspace.id, principalId, azureMLDataScientistRoleId)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', azureMLDataScientistRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// The least-privilege alternative. Actions from Microsoft's docs:
// - invoke (call 1): the list in "Authorization on batch endpoints", section "Configure RBAC for
//   Batch Endpoints invoke" (https://learn.microsoft.com/azure/machine-learning/how-to-authenticate-batch-endpoint),
//   copied as it is;
// - status, list and pre-flight reads (calls 2, 3, 5): `workspaces/*/read`, the read wildcard
//   Microsoft's "Manage access to Azure Machine Learning workspaces" uses for submitting V2 jobs
//   (https://learn.microsoft.com/azure/machine-learning/how-to-assign-roles#common-scenarios);
// - cancel (call 4): `workspaces/jobs/*`, the V2 jobs scope in the same article's MLflow table
//   (it also allows deleting jobs; narrow it to the cancel action once you have confirmed the
//   action name with `az provider operation show --namespace Microsoft.MachineLearningServices`).
var invokeActions = [
  'Microsoft.MachineLearningServices/workspaces/read'
  'Microsoft.MachineLearningServices/workspaces/data/versions/write'
  'Microsoft.MachineLearningServices/workspaces/datasets/registered/read'
  'Microsoft.MachineLearningServices/workspaces/datasets/registered/write'
  'Microsoft.MachineLearningServices/workspaces/datasets/unregistered/read'
  'Microsoft.MachineLearningServices/workspaces/datasets/unregistered/write'
  'Microsoft.MachineLearningServices/workspaces/datastores/read'
  'Microsoft.MachineLearningServices/workspaces/datastores/write'
  'Microsoft.MachineLearningServices/workspaces/datastores/listsecrets/action'
  'Microsoft.MachineLearningServices/workspaces/listStorageAccountKeys/action'
  'Microsoft.MachineLearningServices/workspaces/batchEndpoints/read'
  'Microsoft.MachineLearningServices/workspaces/batchEndpoints/write'
  'Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/read'
  'Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/write'
  'Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/jobs/write'
  'Microsoft.MachineLearningServices/workspaces/batchEndpoints/jobs/write'
  'Microsoft.MachineLearningServices/workspaces/computes/read'
  'Microsoft.MachineLearningServices/workspaces/computes/listKeys/action'
  'Microsoft.MachineLearningServices/workspaces/metadata/secrets/read'
  'Microsoft.MachineLearningServices/workspaces/metadata/snapshots/read'
  'Microsoft.MachineLearningServices/workspaces/metadata/artifacts/read'
  'Microsoft.MachineLearningServices/workspaces/metadata/artifacts/write'
  'Microsoft.MachineLearningServices/workspaces/experiments/read'
  'Microsoft.MachineLearningServices/workspaces/experiments/runs/submit/action'
  'Microsoft.MachineLearningServices/workspaces/experiments/runs/read'
  'Microsoft.MachineLearningServices/workspaces/experiments/runs/write'
  'Microsoft.MachineLearningServices/workspaces/metrics/resource/write'
  'Microsoft.MachineLearningServices/workspaces/modules/read'
  'Microsoft.MachineLearningServices/workspaces/models/read'
  'Microsoft.MachineLearningServices/workspaces/endpoints/pipelines/read'
  'Microsoft.MachineLearningServices/workspaces/endpoints/pipelines/write'
  'Microsoft.MachineLearningServices/workspaces/environments/read'
  'Microsoft.MachineLearningServices/workspaces/environments/write'
  'Microsoft.MachineLearningServices/workspaces/environments/build/action'
  'Microsoft.MachineLearningServices/workspaces/environments/readSecrets/action'
]
var monitorActions = [
  'Microsoft.MachineLearningServices/workspaces/*/read' // status, list, datastores, data versions
  'Microsoft.MachineLearningServices/workspaces/jobs/*' // cancel
]

resource customRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (role == 'Custom') {
  name: guid(workspace.id, 'batch-scoring-orchestrator')
  properties: {
    // Role names are unique per tenant: the suffix keeps two deployments apart.
    roleName: 'Batch scoring orchestrator (${workspaceName}, ${uniqueString(workspace.id)})'
    description: 'Invoke batch endpoints, read, list and cancel jobs, read datastores and data assets in Azure ML workspace ${workspaceName}.'
    type: 'CustomRole'
    permissions: [
      {
        actions: concat(invokeActions, monitorActions)
        notActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

// Calls 1-5 with the custom role.
resource custom 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (role == 'Custom') {
  name: guid(workspace.id, principalId, 'batch-scoring-orchestrator')
  scope: workspace
  properties: {
    roleDefinitionId: customRole.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output workspaceId string = workspace.id
