"""Field numbers of the core/v1 messages (k8s.io/api core/v1), in this package's notation.

The numbers are facts of the Kubernetes API; the notation is described in ``wire.schema``.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "Pod": "metadata=1:ObjectMeta spec=2:PodSpec status=3:PodStatus",
    "ResourceQuota": "metadata=1:ObjectMeta spec=2:ResourceQuotaSpec status=3:ResourceQuotaStatus",
    "Namespace": "metadata=1:ObjectMeta spec=2:NamespaceSpec status=3:NamespaceStatus",
    "ConfigMap": "metadata=1:ObjectMeta immutable=4:b? data=2:{s} binaryData=3:{y}",
    "Secret": "metadata=1:ObjectMeta immutable=5:b? data=2:{y} stringData=4:{s} type=3",
    "ServiceAccount": (
        "metadata=1:ObjectMeta secrets=2:[ObjectReference] imagePullSecrets=3:[LocalObjectReference] "
        "automountServiceAccountToken=4:b?"
    ),
    "Service": "metadata=1:ObjectMeta spec=2:ServiceSpec status=3:ServiceStatus",
    "PodSpec": (
        "volumes=1:[Volume] initContainers=20:[Container] containers=2:[Container] "
        "ephemeralContainers=34:[EphemeralContainer] restartPolicy=3 terminationGracePeriodSeconds=4:i64? "
        "activeDeadlineSeconds=5:i64? dnsPolicy=6 nodeSelector=7:{s} serviceAccountName=8 "
        "serviceAccount=9 automountServiceAccountToken=21:b? nodeName=10 hostNetwork=11:b hostPID=12:b "
        "hostIPC=13:b shareProcessNamespace=27:b? securityContext=14:PodSecurityContext "
        "imagePullSecrets=15:[LocalObjectReference] hostname=16 subdomain=17 affinity=18:Affinity "
        "schedulerName=19 tolerations=22:[Toleration] hostAliases=23:[HostAlias] priorityClassName=24 "
        "priority=25:i32? dnsConfig=26:PodDNSConfig readinessGates=28:[PodReadinessGate] "
        "runtimeClassName=29? enableServiceLinks=30:b? preemptionPolicy=31? overhead=32:{Quantity} "
        "topologySpreadConstraints=33:[TopologySpreadConstraint] setHostnameAsFQDN=35:b? os=36:PodOS "
        "hostUsers=37:b? schedulingGates=38:[PodSchedulingGate] resourceClaims=39:[PodResourceClaim] "
        "resources=40:ResourceRequirements hostnameOverride=41? schedulingGroup=43:PodSchedulingGroup "
        "evictionResponders=44:[EvictionResponder]"
    ),
    "PodStatus": (
        "observedGeneration=17:i64 phase=1 conditions=2:[PodCondition] message=3 reason=4 "
        "nominatedNodeName=11 hostIP=5 hostIPs=16:[HostIP] podIP=6 podIPs=12:[PodIP] startTime=7:Time "
        "initContainerStatuses=10:[ContainerStatus] containerStatuses=8:[ContainerStatus] qosClass=9 "
        "ephemeralContainerStatuses=13:[ContainerStatus] resize=14 "
        "resourceClaimStatuses=15:[PodResourceClaimStatus] "
        "extendedResourceClaimStatus=18:PodExtendedResourceClaimStatus allocatedResources=19:{Quantity} "
        "resources=20:ResourceRequirements "
        "nodeAllocatableResourceClaimStatuses=21:[NodeAllocatableResourceClaimStatus] "
        "volumeHealth=22:[PodVolumeHealth]"
    ),
    "ResourceQuotaSpec": "hard=1:{Quantity} scopes=2:[s] scopeSelector=3:ScopeSelector",
    "ResourceQuotaStatus": "hard=1:{Quantity} used=2:{Quantity}",
    "NamespaceSpec": "finalizers=1:[s]",
    "NamespaceStatus": "phase=1 conditions=2:[NamespaceCondition]",
    "ObjectReference": "kind=1 namespace=2 name=3 uid=4 apiVersion=5 resourceVersion=6 fieldPath=7",
    "LocalObjectReference": "name=1",
    "ServiceSpec": (
        "ports=1:[ServicePort] selector=2:{s} clusterIP=3 clusterIPs=18:[s] type=4 externalIPs=5:[s] "
        "sessionAffinity=7 loadBalancerIP=8 loadBalancerSourceRanges=9:[s] externalName=10 "
        "externalTrafficPolicy=11 healthCheckNodePort=12:i32 publishNotReadyAddresses=13:b "
        "sessionAffinityConfig=14:SessionAffinityConfig ipFamilies=19:[s] ipFamilyPolicy=17? "
        "allocateLoadBalancerNodePorts=20:b? loadBalancerClass=21? internalTrafficPolicy=22? "
        "trafficDistribution=23?"
    ),
    "ServiceStatus": "loadBalancer=1:LoadBalancerStatus conditions=2:[Condition]",
    "Volume": "name=1? ~volumeSource=2:VolumeSource",
    "Container": (
        "name=1? image=2 command=3:[s] args=4:[s] workingDir=5 ports=6:[ContainerPort] "
        "envFrom=19:[EnvFromSource] env=7:[EnvVar] resources=8:ResourceRequirements "
        "resizePolicy=23:[ContainerResizePolicy] restartPolicy=24? "
        "restartPolicyRules=25:[ContainerRestartRule] volumeMounts=9:[VolumeMount] "
        "volumeDevices=21:[VolumeDevice] livenessProbe=10:Probe readinessProbe=11:Probe "
        "startupProbe=22:Probe lifecycle=12:Lifecycle terminationMessagePath=13 "
        "terminationMessagePolicy=20 imagePullPolicy=14 securityContext=15:SecurityContext stdin=16:b "
        "stdinOnce=17:b tty=18:b"
    ),
    "EphemeralContainer": "~ephemeralContainerCommon=1:EphemeralContainerCommon targetContainerName=2",
    "PodSecurityContext": (
        "seLinuxOptions=1:SELinuxOptions windowsOptions=8:WindowsSecurityContextOptions runAsUser=2:i64? "
        "runAsGroup=6:i64? runAsNonRoot=3:b? supplementalGroups=4:[i64] supplementalGroupsPolicy=12? "
        "fsGroup=5:i64? sysctls=7:[Sysctl] fsGroupChangePolicy=9? seccompProfile=10:SeccompProfile "
        "appArmorProfile=11:AppArmorProfile seLinuxChangePolicy=13?"
    ),
    "Affinity": "nodeAffinity=1:NodeAffinity podAffinity=2:PodAffinity podAntiAffinity=3:PodAntiAffinity",
    "Toleration": "key=1 operator=2 value=3 effect=4 tolerationSeconds=5:i64?",
    "HostAlias": "ip=1? hostnames=2:[s]",
    "PodDNSConfig": "nameservers=1:[s] searches=2:[s] options=3:[PodDNSConfigOption]",
    "PodReadinessGate": "conditionType=1?",
    "TopologySpreadConstraint": (
        "maxSkew=1:i32? topologyKey=2? whenUnsatisfiable=3? labelSelector=4:LabelSelector "
        "minDomains=5:i32? nodeAffinityPolicy=6? nodeTaintsPolicy=7? matchLabelKeys=8:[s]"
    ),
    "PodOS": "name=1?",
    "PodSchedulingGate": "name=1?",
    "PodResourceClaim": "name=1? resourceClaimName=3? resourceClaimTemplateName=4?",
    "ResourceRequirements": "limits=1:{Quantity} requests=2:{Quantity} claims=3:[ResourceClaim]",
    "PodSchedulingGroup": "podGroupName=1?",
    "EvictionResponder": "name=1? priority=2:i32?",
    "PodCondition": (
        "type=1? observedGeneration=7:i64 status=2? lastProbeTime=3:Time lastTransitionTime=4:Time "
        "reason=5 message=6"
    ),
    "HostIP": "ip=1?",
    "PodIP": "ip=1?",
    "ContainerStatus": (
        "name=1? state=2:ContainerState lastState=3:ContainerState ready=4:b? restartCount=5:i32? "
        "image=6? imageID=7? containerID=8 started=9:b? allocatedResources=10:{Quantity} "
        "resources=11:ResourceRequirements volumeMounts=12:[VolumeMountStatus] user=13:ContainerUser "
        "allocatedResourcesStatus=14:[ResourceStatus] stopSignal=15?"
    ),
    "PodResourceClaimStatus": "name=1? resourceClaimName=2?",
    "PodExtendedResourceClaimStatus": (
        "requestMappings=1:[ContainerExtendedResourceRequest] resourceClaimName=2?"
    ),
    "NodeAllocatableResourceClaimStatus": (
        "resourceClaimName=1? containers=2:[s] mapping=4:[NodeAllocatableMappedResources] "
        "overhead=5:[NodeAllocatableOverheadResources]"
    ),
    "PodVolumeHealth": "name=1? healthConditions=2:[VolumeHealthCondition] lastTransitionTime=3:Time",
    "ScopeSelector": "matchExpressions=1:[ScopedResourceSelectorRequirement]",
    "NamespaceCondition": "type=1? status=2? lastTransitionTime=4:Time reason=5 message=6",
    "PodTemplateSpec": "metadata=1:ObjectMeta spec=2:PodSpec",
    "ServicePort": "name=1 protocol=2 appProtocol=6? port=3:i32? targetPort=4:IntOrString nodePort=5:i32",
    "SessionAffinityConfig": "clientIP=1:ClientIPConfig",
    "LoadBalancerStatus": "ingress=1:[LoadBalancerIngress]",
    "VolumeSource": (
        "hostPath=1:HostPathVolumeSource emptyDir=2:EmptyDirVolumeSource "
        "gcePersistentDisk=3:GCEPersistentDiskVolumeSource "
        "awsElasticBlockStore=4:AWSElasticBlockStoreVolumeSource gitRepo=5:GitRepoVolumeSource "
        "secret=6:SecretVolumeSource nfs=7:NFSVolumeSource iscsi=8:ISCSIVolumeSource "
        "glusterfs=9:GlusterfsVolumeSource persistentVolumeClaim=10:PersistentVolumeClaimVolumeSource "
        "rbd=11:RBDVolumeSource flexVolume=12:FlexVolumeSource cinder=13:CinderVolumeSource "
        "cephfs=14:CephFSVolumeSource flocker=15:FlockerVolumeSource "
        "downwardAPI=16:DownwardAPIVolumeSource fc=17:FCVolumeSource azureFile=18:AzureFileVolumeSource "
        "configMap=19:ConfigMapVolumeSource vsphereVolume=20:VsphereVirtualDiskVolumeSource "
        "quobyte=21:QuobyteVolumeSource azureDisk=22:AzureDiskVolumeSource "
        "photonPersistentDisk=23:PhotonPersistentDiskVolumeSource projected=26:ProjectedVolumeSource "
        "portworxVolume=24:PortworxVolumeSource scaleIO=25:ScaleIOVolumeSource "
        "storageos=27:StorageOSVolumeSource csi=28:CSIVolumeSource ephemeral=29:EphemeralVolumeSource "
        "image=30:ImageVolumeSource"
    ),
    "ContainerPort": "name=1 hostPort=2:i32 containerPort=3:i32? protocol=4 hostIP=5",
    "EnvFromSource": "prefix=1 configMapRef=2:ConfigMapEnvSource secretRef=3:SecretEnvSource",
    "EnvVar": "name=1? value=2 valueFrom=3:EnvVarSource",
    "ContainerResizePolicy": "resourceName=1? restartPolicy=2?",
    "ContainerRestartRule": "action=1 exitCodes=2:ContainerRestartRuleOnExitCodes",
    "VolumeMount": (
        "name=1? readOnly=2:b recursiveReadOnly=7? mountPath=3? subPath=4 mountPropagation=5? "
        "subPathExpr=6 bindMountOptions=8:[s]"
    ),
    "VolumeDevice": "name=1? devicePath=2?",
    "Probe": (
        "~handler=1:ProbeHandler initialDelaySeconds=2:i32 timeoutSeconds=3:i32 periodSeconds=4:i32 "
        "successThreshold=5:i32 failureThreshold=6:i32 terminationGracePeriodSeconds=7:i64?"
    ),
    "Lifecycle": "postStart=1:LifecycleHandler preStop=2:LifecycleHandler stopSignal=3?",
    "SecurityContext": (
        "capabilities=1:Capabilities privileged=2:b? seLinuxOptions=3:SELinuxOptions "
        "windowsOptions=10:WindowsSecurityContextOptions runAsUser=4:i64? runAsGroup=8:i64? "
        "runAsNonRoot=5:b? readOnlyRootFilesystem=6:b? allowPrivilegeEscalation=7:b? procMount=9? "
        "seccompProfile=11:SeccompProfile appArmorProfile=12:AppArmorProfile"
    ),
    "EphemeralContainerCommon": (
        "name=1? image=2 command=3:[s] args=4:[s] workingDir=5 ports=6:[ContainerPort] "
        "envFrom=19:[EnvFromSource] env=7:[EnvVar] resources=8:ResourceRequirements "
        "resizePolicy=23:[ContainerResizePolicy] restartPolicy=24? "
        "restartPolicyRules=25:[ContainerRestartRule] volumeMounts=9:[VolumeMount] "
        "volumeDevices=21:[VolumeDevice] livenessProbe=10:Probe readinessProbe=11:Probe "
        "startupProbe=22:Probe lifecycle=12:Lifecycle terminationMessagePath=13 "
        "terminationMessagePolicy=20 imagePullPolicy=14 securityContext=15:SecurityContext stdin=16:b "
        "stdinOnce=17:b tty=18:b"
    ),
    "SELinuxOptions": "user=1 role=2 type=3 level=4",
    "WindowsSecurityContextOptions": (
        "gmsaCredentialSpecName=1? gmsaCredentialSpec=2? runAsUserName=3? hostProcess=4:b?"
    ),
    "Sysctl": "name=1? value=2?",
    "SeccompProfile": "type=1? localhostProfile=2?",
    "AppArmorProfile": "type=1? localhostProfile=2?",
    "NodeAffinity": (
        "requiredDuringSchedulingIgnoredDuringExecution=1:NodeSelector "
        "preferredDuringSchedulingIgnoredDuringExecution=2:[PreferredSchedulingTerm]"
    ),
    "PodAffinity": (
        "requiredDuringSchedulingIgnoredDuringExecution=1:[PodAffinityTerm] "
        "preferredDuringSchedulingIgnoredDuringExecution=2:[WeightedPodAffinityTerm]"
    ),
    "PodAntiAffinity": (
        "requiredDuringSchedulingIgnoredDuringExecution=1:[PodAffinityTerm] "
        "preferredDuringSchedulingIgnoredDuringExecution=2:[WeightedPodAffinityTerm]"
    ),
    "PodDNSConfigOption": "name=1 value=2?",
    "ResourceClaim": "name=1? request=2",
    "ContainerState": (
        "waiting=1:ContainerStateWaiting running=2:ContainerStateRunning "
        "terminated=3:ContainerStateTerminated"
    ),
    "VolumeMountStatus": "name=1? mountPath=2? readOnly=3:b recursiveReadOnly=4? volumeStatus=5:VolumeStatus",
    "ContainerUser": "linux=1:LinuxContainerUser",
    "ResourceStatus": "name=1? resources=2:[ResourceHealth]",
    "ContainerExtendedResourceRequest": "containerName=1? resourceName=2? requestName=3?",
    "NodeAllocatableMappedResources": "name=1? quantity=2:Quantity",
    "NodeAllocatableOverheadResources": "name=1? perPod=2:Quantity perContainer=3:Quantity",
    "VolumeHealthCondition": "status=1? reason=2? message=3",
    "ScopedResourceSelectorRequirement": "scopeName=1? operator=2? values=3:[s]",
    "TypedLocalObjectReference": "apiGroup=1? kind=2? name=3?",
    "ClientIPConfig": "timeoutSeconds=1:i32?",
    "LoadBalancerIngress": "ip=1 hostname=2 ipMode=3? ports=4:[PortStatus]",
    "HostPathVolumeSource": "path=1? type=2?",
    "EmptyDirVolumeSource": "medium=1 sizeLimit=2:Quantity mode=3:i32?",
    "GCEPersistentDiskVolumeSource": "pdName=1? fsType=2 partition=3:i32 readOnly=4:b",
    "AWSElasticBlockStoreVolumeSource": "volumeID=1? fsType=2 partition=3:i32 readOnly=4:b",
    "GitRepoVolumeSource": "repository=1? revision=2 directory=3",
    "SecretVolumeSource": (
        "secretName=1 items=2:[KeyToPath] defaultMode=3:i32? optional=4:b? defaultUser=5:i64?"
    ),
    "NFSVolumeSource": "server=1? path=2? readOnly=3:b",
    "ISCSIVolumeSource": (
        "targetPortal=1? iqn=2? lun=3:i32? iscsiInterface=4 fsType=5 readOnly=6:b portals=7:[s] "
        "chapAuthDiscovery=8:b chapAuthSession=11:b secretRef=10:LocalObjectReference initiatorName=12?"
    ),
    "GlusterfsVolumeSource": "endpoints=1? path=2? readOnly=3:b",
    "PersistentVolumeClaimVolumeSource": "claimName=1? readOnly=2:b",
    "RBDVolumeSource": (
        "monitors=1:[s] image=2? fsType=3 pool=4 user=5 keyring=6 secretRef=7:LocalObjectReference "
        "readOnly=8:b"
    ),
    "FlexVolumeSource": "driver=1? fsType=2 secretRef=3:LocalObjectReference readOnly=4:b options=5:{s}",
    "CinderVolumeSource": "volumeID=1? fsType=2 readOnly=3:b secretRef=4:LocalObjectReference",
    "CephFSVolumeSource": (
        "monitors=1:[s] path=2 user=3 secretFile=4 secretRef=5:LocalObjectReference readOnly=6:b"
    ),
    "FlockerVolumeSource": "datasetName=1 datasetUUID=2",
    "DownwardAPIVolumeSource": "items=1:[DownwardAPIVolumeFile] defaultMode=2:i32? defaultUser=3:i64?",
    "FCVolumeSource": "targetWWNs=1:[s] lun=2:i32? fsType=3 readOnly=4:b wwids=5:[s]",
    "AzureFileVolumeSource": "secretName=1? shareName=2? readOnly=3:b",
    "ConfigMapVolumeSource": (
        "~localObjectReference=1:LocalObjectReference items=2:[KeyToPath] defaultMode=3:i32? "
        "optional=4:b? defaultUser=5:i64?"
    ),
    "VsphereVirtualDiskVolumeSource": "volumePath=1? fsType=2 storagePolicyName=3 storagePolicyID=4",
    "QuobyteVolumeSource": "registry=1? volume=2? readOnly=3:b user=4 group=5 tenant=6",
    "AzureDiskVolumeSource": "diskName=1? diskURI=2? cachingMode=3? fsType=4? readOnly=5:b? kind=6?",
    "PhotonPersistentDiskVolumeSource": "pdID=1? fsType=2",
    "ProjectedVolumeSource": "sources=1:[VolumeProjection] defaultMode=2:i32? defaultUser=3:i64?",
    "PortworxVolumeSource": "volumeID=1? fsType=2 readOnly=3:b",
    "ScaleIOVolumeSource": (
        "gateway=1? system=2? secretRef=3:LocalObjectReference sslEnabled=4:b protectionDomain=5 "
        "storagePool=6 storageMode=7 volumeName=8 fsType=9 readOnly=10:b"
    ),
    "StorageOSVolumeSource": (
        "volumeName=1 volumeNamespace=2 fsType=3 readOnly=4:b secretRef=5:LocalObjectReference"
    ),
    "CSIVolumeSource": (
        "driver=1? readOnly=2:b? fsType=3? volumeAttributes=4:{s} nodePublishSecretRef=5:LocalObjectReference"
    ),
    "EphemeralVolumeSource": "volumeClaimTemplate=1:PersistentVolumeClaimTemplate",
    "ImageVolumeSource": "reference=1 pullPolicy=2",
    "ConfigMapEnvSource": "~localObjectReference=1:LocalObjectReference optional=2:b?",
    "SecretEnvSource": "~localObjectReference=1:LocalObjectReference optional=2:b?",
    "EnvVarSource": (
        "fieldRef=1:ObjectFieldSelector resourceFieldRef=2:ResourceFieldSelector "
        "configMapKeyRef=3:ConfigMapKeySelector secretKeyRef=4:SecretKeySelector "
        "fileKeyRef=5:FileKeySelector"
    ),
    "ContainerRestartRuleOnExitCodes": "operator=1 values=2:[i32]",
    "ProbeHandler": "exec=1:ExecAction httpGet=2:HTTPGetAction tcpSocket=3:TCPSocketAction grpc=4:GRPCAction",
    "LifecycleHandler": (
        "exec=1:ExecAction httpGet=2:HTTPGetAction tcpSocket=3:TCPSocketAction sleep=4:SleepAction"
    ),
    "Capabilities": "add=1:[s] drop=2:[s]",
    "NodeSelector": "nodeSelectorTerms=1:[NodeSelectorTerm]",
    "PreferredSchedulingTerm": "weight=1:i32? preference=2:NodeSelectorTerm",
    "PodAffinityTerm": (
        "labelSelector=1:LabelSelector namespaces=2:[s] topologyKey=3? namespaceSelector=4:LabelSelector "
        "matchLabelKeys=5:[s] mismatchLabelKeys=6:[s]"
    ),
    "WeightedPodAffinityTerm": "weight=1:i32? podAffinityTerm=2:PodAffinityTerm",
    "ContainerStateWaiting": "reason=1 message=2",
    "ContainerStateRunning": "startedAt=1:Time",
    "ContainerStateTerminated": (
        "exitCode=1:i32? signal=2:i32 reason=3 message=4 startedAt=5:Time finishedAt=6:Time containerID=7"
    ),
    "VolumeStatus": "image=1:ImageVolumeStatus",
    "LinuxContainerUser": "uid=1:i64? gid=2:i64? supplementalGroups=3:[i64]",
    "ResourceHealth": "resourceID=1? health=2 message=6?",
    "PortStatus": "port=1:i32? protocol=2? error=3?",
    "KeyToPath": "key=1? path=2? mode=3:i32? user=4:i64?",
    "DownwardAPIVolumeFile": (
        "path=1? fieldRef=2:ObjectFieldSelector resourceFieldRef=3:ResourceFieldSelector mode=4:i32? "
        "user=5:i64?"
    ),
    "VolumeProjection": (
        "secret=1:SecretProjection downwardAPI=2:DownwardAPIProjection configMap=3:ConfigMapProjection "
        "serviceAccountToken=4:ServiceAccountTokenProjection "
        "clusterTrustBundle=5:ClusterTrustBundleProjection podCertificate=6:PodCertificateProjection"
    ),
    "PersistentVolumeClaimTemplate": "metadata=1:ObjectMeta spec=2:PersistentVolumeClaimSpec",
    "ObjectFieldSelector": "apiVersion=1 fieldPath=2?",
    "ResourceFieldSelector": "containerName=1 resource=2? divisor=3:Quantity",
    "ConfigMapKeySelector": "~localObjectReference=1:LocalObjectReference key=2? optional=3:b?",
    "SecretKeySelector": "~localObjectReference=1:LocalObjectReference key=2? optional=3:b?",
    "FileKeySelector": "volumeName=1? path=2? key=3? optional=4:b?",
    "ExecAction": "command=1:[s]",
    "HTTPGetAction": "path=1 port=2:IntOrString host=3 scheme=4 httpHeaders=5:[HTTPHeader] protocol=6?",
    "TCPSocketAction": "port=1:IntOrString host=2",
    "GRPCAction": "port=1:i32? service=2? mode=3?",
    "SleepAction": "seconds=1:i64?",
    "NodeSelectorTerm": (
        "matchExpressions=1:[NodeSelectorRequirement] matchFields=2:[NodeSelectorRequirement]"
    ),
    "ImageVolumeStatus": "imageRef=1",
    "SecretProjection": "~localObjectReference=1:LocalObjectReference items=2:[KeyToPath] optional=4:b?",
    "DownwardAPIProjection": "items=1:[DownwardAPIVolumeFile]",
    "ConfigMapProjection": "~localObjectReference=1:LocalObjectReference items=2:[KeyToPath] optional=4:b?",
    "ServiceAccountTokenProjection": "audience=1 expirationSeconds=2:i64? path=3? user=4:i64?",
    "ClusterTrustBundleProjection": (
        "name=1? signerName=2? labelSelector=3:LabelSelector optional=5:b? path=4? user=6:i64?"
    ),
    "PodCertificateProjection": (
        "signerName=1 keyType=2 maxExpirationSeconds=3:i32? credentialBundlePath=4 keyPath=5 "
        "certificateChainPath=6 userAnnotations=7:{s} user=8:i64?"
    ),
    "PersistentVolumeClaimSpec": (
        "accessModes=1:[s] selector=4:LabelSelector resources=2:VolumeResourceRequirements volumeName=3 "
        "storageClassName=5? volumeMode=6? dataSource=7:TypedLocalObjectReference "
        "dataSourceRef=8:TypedObjectReference volumeAttributesClassName=9?"
    ),
    "HTTPHeader": "name=1? value=2?",
    "NodeSelectorRequirement": "key=1? operator=2? values=3:[s]",
    "VolumeResourceRequirements": "limits=1:{Quantity} requests=2:{Quantity}",
    "TypedObjectReference": "apiGroup=1? kind=2? name=3? namespace=4?",
}
