"""Field numbers of the other API groups' v1 messages, in this package's notation.

k8s.io/api apps, batch, authentication, authorization, networking, policy, scheduling, rbac, autoscaling.

The numbers are facts of the Kubernetes API; the notation is described in ``wire.schema``.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # apps
    "Deployment": "metadata=1:ObjectMeta spec=2:DeploymentSpec status=3:DeploymentStatus",
    "DeploymentSpec": (
        "replicas=1:i32? selector=2:LabelSelector template=3:PodTemplateSpec "
        "strategy=4:DeploymentStrategy minReadySeconds=5:i32 revisionHistoryLimit=6:i32? paused=7:b "
        "progressDeadlineSeconds=9:i32?"
    ),
    "DeploymentStatus": (
        "observedGeneration=1:i64 replicas=2:i32 updatedReplicas=3:i32 readyReplicas=7:i32 "
        "availableReplicas=4:i32 unavailableReplicas=5:i32 terminatingReplicas=9:i32? "
        "conditions=6:[DeploymentCondition] collisionCount=8:i32?"
    ),
    "DeploymentStrategy": "type=1 rollingUpdate=2:RollingUpdateDeployment",
    "DeploymentCondition": (
        "type=1? status=2? lastUpdateTime=6:Time lastTransitionTime=7:Time reason=4 message=5"
    ),
    "RollingUpdateDeployment": "maxUnavailable=1:IntOrString maxSurge=2:IntOrString",
    # batch
    "CronJob": "metadata=1:ObjectMeta spec=2:CronJobSpec status=3:CronJobStatus",
    "Job": "metadata=1:ObjectMeta spec=2:JobSpec status=3:JobStatus",
    "CronJobSpec": (
        "schedule=1? timeZone=8? startingDeadlineSeconds=2:i64? concurrencyPolicy=3 suspend=4:b? "
        "jobTemplate=5:JobTemplateSpec successfulJobsHistoryLimit=6:i32? failedJobsHistoryLimit=7:i32?"
    ),
    "CronJobStatus": "active=1:[ObjectReference] lastScheduleTime=4:Time lastSuccessfulTime=5:Time",
    "JobSpec": (
        "parallelism=1:i32? completions=2:i32? activeDeadlineSeconds=3:i64? "
        "podFailurePolicy=11:PodFailurePolicy successPolicy=16:SuccessPolicy backoffLimit=7:i32? "
        "backoffLimitPerIndex=12:i32? maxFailedIndexes=13:i32? selector=4:LabelSelector "
        "manualSelector=5:b? template=6:PodTemplateSpec ttlSecondsAfterFinished=8:i32? completionMode=9? "
        "suspend=10:b? podReplacementPolicy=14? managedBy=15?"
    ),
    "JobStatus": (
        "conditions=1:[JobCondition] startTime=2:Time completionTime=3:Time active=4:i32 succeeded=5:i32 "
        "failed=6:i32 terminating=11:i32? completedIndexes=7 failedIndexes=10? "
        "uncountedTerminatedPods=8:UncountedTerminatedPods ready=9:i32?"
    ),
    "JobTemplateSpec": "metadata=1:ObjectMeta spec=2:JobSpec",
    "PodFailurePolicy": "rules=1:[PodFailurePolicyRule]",
    "SuccessPolicy": "rules=1:[SuccessPolicyRule]",
    "JobCondition": "type=1? status=2? lastProbeTime=3:Time lastTransitionTime=4:Time reason=5 message=6",
    "UncountedTerminatedPods": "succeeded=1:[s] failed=2:[s]",
    "PodFailurePolicyRule": (
        "action=1? onExitCodes=2:PodFailurePolicyOnExitCodesRequirement "
        "onPodConditions=3:[PodFailurePolicyOnPodConditionsPattern]"
    ),
    "SuccessPolicyRule": "succeededIndexes=1? succeededCount=2:i32?",
    "PodFailurePolicyOnExitCodesRequirement": "containerName=1? operator=2? values=3:[i32]",
    "PodFailurePolicyOnPodConditionsPattern": "type=1? status=2?",
    # authn
    "TokenReview": "metadata=1:ObjectMeta spec=2:TokenReviewSpec status=3:TokenReviewStatus",
    "SelfSubjectReview": "metadata=1:ObjectMeta status=2:SelfSubjectReviewStatus",
    "TokenRequest": "metadata=1:ObjectMeta spec=2:TokenRequestSpec status=3:TokenRequestStatus",
    "TokenReviewSpec": "token=1 audiences=2:[s]",
    "TokenReviewStatus": "authenticated=1:b user=2:UserInfo audiences=4:[s] error=3",
    "SelfSubjectReviewStatus": "userInfo=1:UserInfo",
    "TokenRequestSpec": (
        "audiences=1:[s] expirationSeconds=4:i64? boundObjectRef=3:BoundObjectReference "
        "attestations=5:{AttestationValue}"
    ),
    "TokenRequestStatus": "token=1? expirationTimestamp=2:Time",
    "UserInfo": "username=1 uid=2 groups=3:[s] extra=4:{ExtraValue}",
    "BoundObjectReference": "kind=1 apiVersion=2 name=3 uid=4",
    "AttestationValue": "items=1:[s]",
    "ExtraValue": "items=1:[s]",
    # authz
    "SelfSubjectAccessReview": (
        "metadata=1:ObjectMeta spec=2:SelfSubjectAccessReviewSpec status=3:SubjectAccessReviewStatus"
    ),
    "SelfSubjectRulesReview": (
        "metadata=1:ObjectMeta spec=2:SelfSubjectRulesReviewSpec status=3:SubjectRulesReviewStatus"
    ),
    "SelfSubjectAccessReviewSpec": (
        "resourceAttributes=1:ResourceAttributes nonResourceAttributes=2:NonResourceAttributes"
    ),
    "SubjectAccessReviewStatus": "allowed=1:b? denied=4:b reason=2 evaluationError=3",
    "SelfSubjectRulesReviewSpec": "namespace=1",
    "SubjectRulesReviewStatus": (
        "resourceRules=1:[ResourceRule] nonResourceRules=2:[NonResourceRule] incomplete=3:b? "
        "evaluationError=4"
    ),
    "ResourceAttributes": (
        "namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7 "
        "fieldSelector=8:FieldSelectorAttributes labelSelector=9:LabelSelectorAttributes"
    ),
    "NonResourceAttributes": "path=1 verb=2",
    "ResourceRule": "verbs=1:[s] apiGroups=2:[s] resources=3:[s] resourceNames=4:[s]",
    "NonResourceRule": "verbs=1:[s] nonResourceURLs=2:[s]",
    "FieldSelectorAttributes": "rawSelector=1 requirements=2:[FieldSelectorRequirement]",
    "LabelSelectorAttributes": "rawSelector=1 requirements=2:[LabelSelectorRequirement]",
    # net
    "Ingress": "metadata=1:ObjectMeta spec=2:IngressSpec status=3:IngressStatus",
    "IngressSpec": (
        "ingressClassName=4? defaultBackend=1:IngressBackend tls=2:[IngressTLS] rules=3:[IngressRule]"
    ),
    "IngressStatus": "loadBalancer=1:IngressLoadBalancerStatus",
    "IngressBackend": "service=4:IngressServiceBackend resource=3:TypedLocalObjectReference",
    "IngressTLS": "hosts=1:[s] secretName=2",
    "IngressRule": "host=1 ~ingressRuleValue=2:IngressRuleValue",
    "IngressLoadBalancerStatus": "ingress=1:[IngressLoadBalancerIngress]",
    "IngressServiceBackend": "name=1? port=2:ServiceBackendPort",
    "IngressRuleValue": "http=1:HTTPIngressRuleValue",
    "IngressLoadBalancerIngress": "ip=1 hostname=2 ports=4:[IngressPortStatus]",
    "ServiceBackendPort": "name=1 number=2:i32",
    "HTTPIngressRuleValue": "paths=1:[HTTPIngressPath]",
    "IngressPortStatus": "port=1:i32? protocol=2? error=3?",
    "HTTPIngressPath": "path=1 pathType=3? backend=2:IngressBackend",
    # policy
    "PodDisruptionBudget": (
        "metadata=1:ObjectMeta spec=2:PodDisruptionBudgetSpec status=3:PodDisruptionBudgetStatus"
    ),
    "Eviction": "metadata=1:ObjectMeta deleteOptions=2:DeleteOptions",
    "PodDisruptionBudgetSpec": (
        "minAvailable=1:IntOrString selector=2:LabelSelector maxUnavailable=3:IntOrString "
        "unhealthyPodEvictionPolicy=4?"
    ),
    "PodDisruptionBudgetStatus": (
        "observedGeneration=1:i64 disruptedPods=2:{Time} disruptionsAllowed=3:i32? currentHealthy=4:i32? "
        "desiredHealthy=5:i32? expectedPods=6:i32? conditions=7:[Condition]"
    ),
    # sched
    "PriorityClass": "metadata=1:ObjectMeta value=2:i32? globalDefault=3:b description=4 preemptionPolicy=5?",
    # rbac
    "Role": "metadata=1:ObjectMeta rules=2:[PolicyRule]",
    "ClusterRole": "metadata=1:ObjectMeta rules=2:[PolicyRule] aggregationRule=3:AggregationRule",
    "RoleBinding": "metadata=1:ObjectMeta subjects=2:[Subject] roleRef=3:RoleRef",
    "ClusterRoleBinding": "metadata=1:ObjectMeta subjects=2:[Subject] roleRef=3:RoleRef",
    "PolicyRule": "verbs=1:[s] apiGroups=2:[s] resources=3:[s] resourceNames=4:[s] nonResourceURLs=5:[s]",
    "AggregationRule": "clusterRoleSelectors=1:[LabelSelector]",
    "Subject": "kind=1? apiGroup=2 name=3? namespace=4",
    "RoleRef": "apiGroup=1? kind=2? name=3?",
    # autoscaling
    "Scale": "metadata=1:ObjectMeta spec=2:ScaleSpec status=3:ScaleStatus",
    "ScaleSpec": "replicas=1:i32",
    "ScaleStatus": "replicas=1:i32? selector=2",
}
