// Workbook and log alerts over the structured inventory events (shared/observability): traces in
// Application Insights whose message is "<EventName> <json>". The KQL lives in
// infra/monitoring/ so tests can check it against the event catalog of the code.

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object = {}

@description('Resource id of the Application Insights component the queries run against.')
param applicationInsightsId string

@description('Name prefix of the alert rules and the action group.')
param namePrefix string

@description('SYNC_LEASE_SECONDS: a run running longer than this without finalization is stuck.')
param syncLeaseSeconds int

@description('E-mail address notified by the alert rules. Empty: alerts fire without notification (attach your own action group).')
param alertEmail string = ''

var withEmail = !empty(alertEmail)

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, namePrefix, 'tenant-inventory-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'tenant-inventory: sync runs'
    category: 'workbook'
    version: 'Notebook/1.0'
    sourceId: applicationInsightsId
    serializedData: loadTextContent('../monitoring/workbook.json')
  }
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (withEmail) {
  name: '${namePrefix}-ag'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take('inventory', 12)
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var actions = withEmail ? { actionGroups: [actionGroup.id] } : { actionGroups: [] }

var rules = [
  {
    name: '${namePrefix}-failed-runs'
    displayName: 'tenant-inventory: failed sync runs'
    description: 'A sync run finished with status failed (per tenant).'
    severity: 2
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    overrideQueryTimeRange: ''
    query: loadTextContent('../monitoring/alerts/failed-runs.kql')
  }
  {
    name: '${namePrefix}-tenant-no-success-26h'
    displayName: 'tenant-inventory: tenant without a successful run in 26 hours'
    description: 'A tenant with inventory activity in the last 2 days has no run with status success in the last 26 hours.'
    severity: 2
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    overrideQueryTimeRange: 'P2D'
    query: loadTextContent('../monitoring/alerts/tenant-no-success-26h.kql')
  }
  {
    name: '${namePrefix}-stuck-running'
    displayName: 'tenant-inventory: run stuck running past its lease'
    description: 'A run has been running longer than SYNC_LEASE_SECONDS without being finalized.'
    severity: 1
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    overrideQueryTimeRange: 'P2D'
    query: replace(loadTextContent('../monitoring/alerts/stuck-running.kql'), '{{LEASE_SECONDS}}', string(syncLeaseSeconds))
  }
  {
    name: '${namePrefix}-new-drift'
    displayName: 'tenant-inventory: new high-confidence drift against a baseline'
    description: 'A tenant drifted from one of its baselines (missing, extra or changed items), every covered type was read completely, and the drift is new since the last high-confidence evaluation.'
    severity: 3
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    overrideQueryTimeRange: ''
    query: loadTextContent('../monitoring/alerts/new-drift.kql')
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for rule in rules: {
    name: rule.name
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        applicationInsightsId
      ]
      evaluationFrequency: rule.evaluationFrequency
      windowSize: rule.windowSize
      overrideQueryTimeRange: empty(rule.overrideQueryTimeRange) ? null : rule.overrideQueryTimeRange
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            dimensions: [
              {
                name: 'tenantId'
                operator: 'Include'
                values: [
                  '*'
                ]
              }
            ]
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: actions
    }
  }
]

output workbookId string = workbook.id
output alertRuleNames array = [for rule in rules: rule.name]
