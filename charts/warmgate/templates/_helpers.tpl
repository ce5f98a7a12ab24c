{{/* The release-scoped base name, at most 40 characters so suffixed names stay valid. */}}
{{- define "warmgate.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "warmgate.labels" -}}
app.kubernetes.io/part-of: warmgate
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selector labels of one component: include with (dict "root" $ "component" "gateway"). */}}
{{- define "warmgate.selectorLabels" -}}
app.kubernetes.io/part-of: warmgate
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The labels the pool manager gives agent pods (pool-manager/src/runtime/kubernetes/labels.ts). */}}
{{- define "warmgate.agentSelectorLabels" -}}
app.kubernetes.io/part-of: warmgate
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: agent
{{- end -}}

{{/* image reference: include with (dict "root" $ "image" .Values.gateway.image) */}}
{{- define "warmgate.image" -}}
{{- $tag := .image.tag | default .root.Values.global.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s%s:%s" .root.Values.global.image.registry .image.repository $tag -}}
{{- end -}}

{{- define "warmgate.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "warmgate.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: [ALL]
{{- end -}}

{{/* Operator-set env: a map of WARMGATE_* settings, rendered in a stable order. */}}
{{- define "warmgate.env" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* OTLP export settings (empty without telemetry.otlp.endpoint). Pass the root context. */}}
{{- define "warmgate.otelEnv" -}}
{{- with .Values.telemetry }}{{ with .otlp }}{{ if .endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .endpoint | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ .protocol | default "http/protobuf" | quote }}
{{- end }}{{ end }}{{ end }}
{{- end -}}

{{- define "warmgate.storeSecretEnv" -}}
- name: WARMGATE_STORE_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .Values.secrets.store.existingSecret }}
      key: {{ .Values.secrets.store.key }}
{{- end -}}

{{- define "warmgate.poolSecretEnv" -}}
- name: WARMGATE_POOL_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .Values.secrets.pool.existingSecret }}
      key: {{ .Values.secrets.pool.key }}
{{- end -}}

{{- define "warmgate.poolManagerName" -}}{{ include "warmgate.fullname" . }}-pool-manager{{- end -}}
{{- define "warmgate.repoStoreName" -}}{{ include "warmgate.fullname" . }}-repo-store{{- end -}}
{{- define "warmgate.gatewayName" -}}{{ include "warmgate.fullname" . }}-gateway{{- end -}}

{{- define "warmgate.profiles" -}}
{{- $out := list -}}
{{- range .Values.profiles -}}
{{- $entry := printf "%s:min=%d:max=%d" .name (int .min) (int .max) -}}
{{- if .agent }}{{ $entry = printf "%s:agent=%s" $entry .agent }}{{ end -}}
{{- $out = append $out $entry -}}
{{- end -}}
{{- join "," $out -}}
{{- end -}}

{{/*
WARMGATE_POOL_AGENT_IMAGES: agent.images as JSON name → image reference (issue 14: a profile
naming one runs that image as its agent, with the sidecar as data plane in front of it).
*/}}
{{- define "warmgate.agentImages" -}}
{{- $out := dict -}}
{{- range $name, $image := .Values.agent.images -}}
{{- $ref := include "warmgate.image" (dict "root" $ "image" $image) -}}
{{- if $image.command -}}
{{- $_ := set $out $name (dict "image" $ref "command" $image.command) -}}
{{- else -}}
{{- $_ := set $out $name $ref -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}
