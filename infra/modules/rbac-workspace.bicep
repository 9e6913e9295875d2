// What the app's identity needs on the existing Azure ML workspace. Deployed into the workspace's
// resource group (main.bicep sets the scope). Calls the app makes (src/batch/):
//   1. invoke        POST https://<endpoint>.<region>.inference.ml.azure.com/jobs   (scope https://ml.azure.com)
//                    creates a batch deployment job under this identity
//   2. status        GET  {ARM}/.../workspaces/<ws>/jobs/<name>                       (scope https://management.azure.com)
//   3. list          GET  {ARM}/.../workspaces/<ws>/jobs                              (finds the job a lost invoke answer created)
//   4. cancel        POST {ARM}/.../workspaces/<ws>/jobs/<name>/cancel
//   5. pre-flight    GET  {ARM}/.../workspaces/<ws>/datastores/<ds>, .../data/<name> and .../data/<name>/versions/<v>
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

// The least-privilege alternative: what the app's calls need and nothing that reveals a secret.
// - The invoke (call 1): a batch job runs as the identity that invokes it, so the role keeps the
//   invoke list of Microsoft's "Authorization on batch endpoints" (section "Configure RBAC for
//   Batch Endpoints invoke"), minus what the app never needs: compute keys, datastore secrets,
//   storage account keys, workspace and environment secrets, and writes to endpoints, deployments
//   and datastores.
// - Status, list, cancel and pre-flight (calls 2-5): one action each, from "Azure permissions for
//   AI + machine learning". Jobs get no wildcard (it would allow deleting jobs).
// See infra/README.md "Role assignments".
var customRoleActions = [
  'Microsoft.MachineLearningServices/workspaces/read' // invoke: the job reads its workspace
  'Microsoft.MachineLearningServices/workspaces/batchEndpoints/read' // invoke: the endpoint, as the caller; BatchEndpoints Get
  'Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/read' // invoke: the deployment, as the caller; BatchDeployments Get
  'Microsoft.MachineLearningServices/workspaces/batchEndpoints/jobs/write' // invoke: the job on the default deployment
  'Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/jobs/write' // invoke: the job on a named deployment (azureml-model-deployment)
  'Microsoft.MachineLearningServices/workspaces/data/versions/write' // invoke: the job registers its inputs and outputs as data
  'Microsoft.MachineLearningServices/workspaces/datasets/registered/read' // invoke: the job reads its data inputs
  'Microsoft.MachineLearningServices/workspaces/datasets/registered/write' // invoke: the job records its data
  'Microsoft.MachineLearningServices/workspaces/datasets/unregistered/read' // invoke: the job reads a URI input
  'Microsoft.MachineLearningServices/workspaces/datasets/unregistered/write' // invoke: the job records a URI input or output
  'Microsoft.MachineLearningServices/workspaces/computes/read' // invoke: the job finds the deployment's compute
  'Microsoft.MachineLearningServices/workspaces/metadata/snapshots/read' // invoke: the job reads the scoring code's snapshot
  'Microsoft.MachineLearningServices/workspaces/metadata/artifacts/read' // invoke: the job reads its artifacts
  'Microsoft.MachineLearningServices/workspaces/metadata/artifacts/write' // invoke: the job writes its logs and artifacts
  'Microsoft.MachineLearningServices/workspaces/experiments/read' // invoke: the job's experiment
  'Microsoft.MachineLearningServices/workspaces/experiments/runs/submit/action' // invoke: the job is submitted as a run
  'Microsoft.MachineLearningServices/workspaces/experiments/runs/read' // invoke: the job's runs
  'Microsoft.MachineLearningServices/workspaces/experiments/runs/write' // invoke: the job updates its runs
  'Microsoft.MachineLearningServices/workspaces/metrics/resource/write' // invoke: the job writes its metrics
  'Microsoft.MachineLearningServices/workspaces/modules/read' // invoke: the job's pipeline modules
  'Microsoft.MachineLearningServices/workspaces/models/read' // invoke: the deployment's model
  'Microsoft.MachineLearningServices/workspaces/endpoints/pipelines/read' // invoke: the job's pipeline
  'Microsoft.MachineLearningServices/workspaces/endpoints/pipelines/write' // invoke: the job's pipeline run
  'Microsoft.MachineLearningServices/workspaces/environments/read' // invoke: the deployment's environment
  'Microsoft.MachineLearningServices/workspaces/environments/write' // invoke: the job's environment
  'Microsoft.MachineLearningServices/workspaces/environments/build/action' // invoke: the job builds its environment image
  'Microsoft.MachineLearningServices/workspaces/jobs/read' // Jobs Get (status), Jobs List (finding the job of a lost invoke answer)
  'Microsoft.MachineLearningServices/workspaces/jobs/cancel/action' // Jobs Cancel
  'Microsoft.MachineLearningServices/workspaces/datastores/read' // Datastores Get (pre-flight)
  'Microsoft.MachineLearningServices/workspaces/data/read' // Data Containers Get (pre-flight, and a data asset's latest version at invoke)
  'Microsoft.MachineLearningServices/workspaces/data/versions/read' // Data Versions Get (pre-flight)
  'Microsoft.MachineLearningServices/workspaces/components/read' // ComponentVersions Get (pre-flight of a pipeline-component deployment)
  'Microsoft.MachineLearningServices/workspaces/components/versions/read' // ComponentVersions Get (which of the two it checks is not documented)
]

// One name for the definition and its assignment: a role assignment takes the subscription-level
// id of a role definition, whatever scope the definition was created at.
var customRoleName = guid(workspace.id, 'batch-scoring-orchestrator')

resource customRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (role == 'Custom') {
  name: customRoleName
  properties: {
    // Role names are unique per tenant: the suffix keeps two deployments apart.
    roleName: 'Batch scoring orchestrator (${workspaceName}, ${uniqueString(workspace.id)})'
    description: 'Invoke batch endpoints, read, list and cancel jobs, read datastores and data assets in Azure ML workspace ${workspaceName}.'
    type: 'CustomRole'
    permissions: [
      {
        actions: customRoleActions
        notActions: []
        dataActions: []
        notDataActions: []
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
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', customRoleName)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
  dependsOn: [
    customRole
  ]
}

output workspaceId string = workspace.id
