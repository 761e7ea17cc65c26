{{/* Model chart helpers (written for the local cloud; not the upstream chart's). */}}

{{- define "cilium.labels" -}}
app.kubernetes.io/part-of: cilium
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "cilium.image" -}}
{{ .repository }}:{{ .tag }}
{{- end -}}

{{- define "cilium.kprEnabled" -}}
{{- if eq (toString .Values.kubeProxyReplacement) "true" -}}true{{- end -}}
{{- end -}}

{{- define "cilium.apiEnv" -}}
{{- if .Values.k8sServiceHost }}
- name: KUBERNETES_SERVICE_HOST
  value: {{ .Values.k8sServiceHost | quote }}
- name: KUBERNETES_SERVICE_PORT
  value: {{ .Values.k8sServicePort | toString | quote }}
{{- end }}
{{- end -}}

{{- define "cilium.deterministicTls" -}}
{{- if eq .method "helm" -}}
{{- fail (printf "model chart: %s.tls.auto.method=helm generates new certificates on every render; use cronJob (or certmanager) so renders are stable" .component) -}}
{{- end -}}
{{- end -}}
