"""Emulated Kubernetes API server for each AKS cluster of the local cloud.

The real ``kubernetes`` Python client talks to :class:`KubeCluster` unchanged: discovery, the typed
APIs, DynamicClient, server-side apply, the four PATCH types, label/field selectors, eviction, scale,
status and TokenRequest subresources, CRD-registered kinds. Request bodies of built-in kinds are checked
with the client's own pydantic models (422 Invalid; unknown fields tolerated). A small synchronous
control loop runs after every write (no background threads). It is a simulation; **modelled**, not run:

* **No containers run.** A scheduled pod is Running and Ready at once when its node's network is ready;
  Job pods complete (Succeeded) at once. Logs are a placeholder line.
* **Scheduling:** taints/tolerations (real matching), nodeSelector, required node affinity, required
  pod affinity/anti-affinity (topologyKey), cordon, cpu/memory requests against allocatable, a 110-pod
  limit, missing PVCs; preferred node affinity weights, then the least loaded node, win. Topology
  spread constraints and preferred pod affinity are ignored.
  Unschedulable pods stay Pending (``PodScheduled=False``, reason ``Unschedulable``, real-style message).
* **Nodes** (``add_node``): AKS labels (agentpool, mode, instance-type, topology, spot) and taints (spot
  ``kubernetes.azure.com/scalesetpriority=spot:NoSchedule``); capacity/allocatable from a VM-size table
  with AKS reservations.
* **BYO CNI:** Nodes start NotReady (``Ready=False``, reason ``NetworkPluginNotReady``, taint
  ``node.kubernetes.io/not-ready:NoSchedule``). A *CNI DaemonSet* is a DaemonSet in ``kube-system``
  labelled ``k8s-app=cilium`` or annotated ``emulator.orchestrate.io/cni: "true"``; a node turns Ready
  once a pod of one is bound to it (so it must tolerate the not-ready taint, e.g. ``operator: Exists``,
  as Cilium does). Other pods on a NotReady node stay Pending (ContainerCreating) unless hostNetwork;
  running pods whose node loses its CNI stay Running but not Ready.
* **Cilium operator:** once a ``kube-system`` pod labelled ``io.cilium/app=operator`` (or
  ``name=cilium-operator``) is Ready, Cilium's CRDs (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy,
  CiliumNode, CiliumLoadBalancerIPPool, ...) are registered, as the real operator does at start-up.
  No dataplane: policies are stored, not enforced. Gateway API CRDs are not Cilium's and stay absent.
* **AKS add-ons** (``system_addons=True``): kube-dns Service (10th IP of the service CIDR), CoreDNS and
  metrics-server Deployments (avoid spot nodes, so Pending until the CNI runs), kube-proxy DaemonSet
  (hostNetwork), and the built-in StorageClasses (``default``, ``managed-csi``, ``managed-premium``,
  ``azurefile-csi``, ...; ``WaitForFirstConsumer``).
* **Controllers:** Deployment -> ReplicaSet -> Pods (a template change rolls out at once; ReplicaFailure
  on refused pods), DaemonSet (one pod per eligible node, real default tolerations), StatefulSet
  (ordinal names, all at once, PVCs from volumeClaimTemplates), Job. CronJobs never fire. Deleting an
  owner deletes its dependents (ownerReferences) unless ``propagationPolicy=Orphan``.
* **Volumes:** a modelled CSI provisioner binds PVCs to new ``pvc-<uid>`` PersistentVolumes (at once, or
  on first scheduled consumer); reclaim policy Delete/Retain honoured. No disks exist.
* **Services:** cluster IPs from the service CIDR; ``type: LoadBalancer`` gets a fake public ingress IP
  from 20.200.0.0/16, or the ``azure-load-balancer-ipv4`` annotation / ``loadBalancerIP``, or an IP of
  the node subnet with ``azure-load-balancer-internal: "true"``. Endpoints follow ready pods.
* **Disruption:** PodDisruptionBudget status (int or percentage), eviction 201/429/500/404.
* **Admission:** Pod Security (``pod-security.kubernetes.io/enforce`` baseline/restricted, main checks)
  and the ServiceAccount plugin (the pod's ServiceAccount must exist) reject pods with 403; controllers
  then report FailedCreate and retry after every write. LimitRanges default container requests/limits
  and enforce min/max; ResourceQuotas (pods, cpu, memory, requests.*, limits.*) refuse pods over quota
  and report ``status.used``; pods get their QoS class. warn/audit PSA labels are ignored. Immutable
  fields (selectors, StorageClass parameters, clusterIP, ...) give 422; Secret ``stringData`` folds into
  ``data``. Every namespace gets a ``default`` ServiceAccount and a ``kube-root-ca.crt`` ConfigMap.
* **Events** (core/v1) for Scheduled/FailedScheduling, SuccessfulCreate/FailedCreate, NodeReady/
  NodeNotReady and evictions (Killing), recorded on state transitions only; the newest 500 are kept.
* **Auth:** the cluster's admin bearer token, or ServiceAccount tokens this cluster issued (TokenRequest
  or ``service-account-token`` Secrets; HMAC-signed JWTs). No RBAC enforcement, no OIDC/Entra ID.
* **Server-side apply:** per-manager field ownership in ``managedFields`` (FieldsV1), simplified: map
  keys and keyed list elements (containers/env/ports/volumes/... by merge key) are fields, other lists
  are atomic. Conflicts with Apply and Update managers; ``force`` takes ownership.
* **Watch** streams ADDED/MODIFIED/DELETED events from a bounded revision log (``watch``):
  ``resourceVersion`` absent or ``0`` sends the current objects first, ``N`` resumes after N, a
  version the log no longer covers gets an ERROR event (410 Expired); ``timeoutSeconds``,
  ``allowWatchBookmarks``, ``sendInitialEvents`` and selectors (an object that stops matching is
  DELETED for the watcher) are honoured. Watches end when the cluster is closed or the server stops.
* **Server-side printing** (``tables``): ``as=Table`` (v1, v1beta1) with kube-apiserver's columns for
  built-in kinds and the CRD's ``additionalPrinterColumns``; ``as=PartialObjectMetadata[List]``.
* **Custom resources** are pruned, defaulted and validated against their CRD's ``openAPIV3Schema``
  (``crdschema``); ``fieldValidation=Strict|Warn`` applies to every write (``fieldvalidation``); 422
  errors carry ``details.causes``. Writes that change nothing but ``managedFields`` keep the
  resourceVersion. DaemonSet/StatefulSet ``updateStrategy`` is defaulted.
* **Reviews** (``reviews``, ``rbac``): SelfSubjectAccessReview, SubjectAccessReview,
  LocalSubjectAccessReview and SelfSubjectRulesReview answer from the stored RBAC objects plus the
  bootstrap roles; SelfSubjectReview and TokenReview tell who a token is. Requests themselves are
  not authorised. EndpointSlices (``discovery.k8s.io/v1``) follow Services with selectors.
* **Persistence** (``store``, ``backing``, ``sqlstore``, ``host``): ``save_to(path)`` / ``open(path)``
  keep a cluster in an SQLite file (WAL), one row per object; a commit writes only what the request
  changed, processes sharing the file replay each other's changes.
* Deletion is immediate, except that user finalizers (anything but ``kubernetes`` and
  ``kubernetes.io/...``) keep an object with ``deletionTimestamp`` until an update removes the last
  one. Namespace deletion removes its objects at once, finalizers or not (the response shows
  ``Terminating``).
* A stopped cluster (``set_powered(False)``) answers every request with 503 ServiceUnavailable.
* ``inject_fault(status, count=..., method=..., path_contains=...)`` makes the next matching requests fail
  (429 with Retry-After, 5xx). Note that urllib3 under the kubernetes client retries a 429 that carries
  Retry-After by itself (up to 3 times).
* Operators the emulator does not know (Argo CD, External Secrets, Velero, ...) are modelled by
  controller kinds registered by name (``controllerkinds``): ``enable_controller(kind, config)`` is
  persisted with the cluster, so the kind runs again in every process that loads it. Plug-in
  controllers (``add_controller(name, fn)``, ``fn(ControllerContext)``; see ``extensions``) are not.
* **OpenAPI** v2 (JSON or gnostic protobuf) and v3 for the built-in kinds (Kubernetes' own definitions,
  from the kubernetes-validate package) and every CRD (``openapi``); kubectl and helm validate against
  them client-side. **Protobuf** request bodies of the kinds kubectl and helm write, and protobuf
  responses when asked first and every field has a mapping (``wire``, ``negotiation``); 415 otherwise.
* Not served: admission webhooks, RBAC enforcement of requests, CEL validation rules, CRD version
  conversion, node heartbeat Leases, aggregated APIs (metrics.k8s.io), exec/attach/port-forward.
"""

from .cluster import KubeCluster, KubeResponse
from .extensions import ControllerContext

__all__ = ["ControllerContext", "KubeCluster", "KubeResponse"]
