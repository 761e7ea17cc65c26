"""Field numbers of the meta/v1 and runtime messages, in this package's notation.

From k8s.io/apimachinery: meta/v1, runtime, util/intstr, api/resource.

The numbers are facts of the Kubernetes API; the notation is described in ``wire.schema``.
"""

from __future__ import annotations

# Types whose JSON form is not the message's fields (RFC 3339 strings, int-or-string, quantities, raw
# JSON); ``wire.codec`` converts them.
SPECIAL: dict[str, str] = {
    "Time": "seconds=1:i64 nanos=2:i32",
    "MicroTime": "seconds=1:i64 nanos=2:i32",
    "IntOrString": "type=1:i64 intVal=2:i32 strVal=3",
    "Quantity": "string=1",
    "FieldsV1": "Raw=1:y",
    "RawExtension": "raw=1:y",
}

MESSAGES: dict[str, str] = {
    "DeleteOptions": (
        "gracePeriodSeconds=1:i64? preconditions=2:Preconditions orphanDependents=3:b? "
        "propagationPolicy=4? dryRun=5:[s] ignoreStoreReadErrorWithClusterBreakingPotential=6:b?"
    ),
    "Status": "metadata=1:ListMeta status=2 message=3 reason=4 details=5:StatusDetails code=6:i32",
    "ListMeta": "selfLink=1 resourceVersion=2 continue=3 remainingItemCount=4:i64? shardInfo=5:ShardInfo",
    "ObjectMeta": (
        "name=1 generateName=2 namespace=3 selfLink=4 uid=5 resourceVersion=6 generation=7:i64 "
        "creationTimestamp=8:Time deletionTimestamp=9:Time deletionGracePeriodSeconds=10:i64? "
        "labels=11:{s} annotations=12:{s} ownerReferences=13:[OwnerReference] finalizers=14:[s] "
        "managedFields=17:[ManagedFieldsEntry]"
    ),
    "Preconditions": "uid=1? resourceVersion=2?",
    "StatusDetails": "name=1 group=2 kind=3 uid=6 causes=4:[StatusCause] retryAfterSeconds=5:i32",
    "ShardInfo": "selector=1?",
    "OwnerReference": "apiVersion=5? kind=1? name=3? uid=4? controller=6:b? blockOwnerDeletion=7:b?",
    "ManagedFieldsEntry": (
        "manager=1 operation=2 apiVersion=3 time=4:Time fieldsType=6 fieldsV1=7:FieldsV1 subresource=8"
    ),
    "LabelSelector": "matchLabels=1:{s} matchExpressions=2:[LabelSelectorRequirement]",
    "Condition": "type=1? status=2? observedGeneration=3:i64 lastTransitionTime=4:Time reason=5? message=6?",
    "StatusCause": "reason=1 message=2 field=3",
    "LabelSelectorRequirement": "key=1? operator=2? values=3:[s]",
    "FieldSelectorRequirement": "key=1? operator=2? values=3:[s]",
    "Unknown": "typeMeta=1:TypeMeta raw=2:y contentEncoding=3 contentType=4",
    "TypeMeta": "apiVersion=1 kind=2",
}
