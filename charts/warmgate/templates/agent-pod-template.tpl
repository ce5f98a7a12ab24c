{{/*
The pod the pool manager creates each warm agent from. The runtime adds the name, the
owner/profile/state labels and the profile's resources, and puts the agent behind the
sidecar's data plane (the agent container in role mcp on the pod's loopback, the mcp port and
the direct-mode keys moved to the sidecar: pod-template.ts); container and port names
(agent/mcp, sidecar/lifecycle) are how it finds the endpoints.
*/}}
{{- define "warmgate.agentPodTemplate" -}}
{{- $image := include "warmgate.image" (dict "root" $ "image" .Values.agent.image) -}}
metadata:
  labels:
    app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
spec:
  automountServiceAccountToken: false
  enableServiceLinks: false
  restartPolicy: Never
  terminationGracePeriodSeconds: {{ .Values.agent.terminationGracePeriodSeconds }}
  {{- with .Values.agent.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with .Values.global.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- include "warmgate.podSecurityContext" . | nindent 4 }}
  containers:
    {{- range $role := list "agent" "sidecar" }}
    - name: {{ $role }}
      image: {{ $image }}
      imagePullPolicy: {{ $.Values.global.image.pullPolicy }}
      args: [{{ $role }}]
      ports:
        {{- if eq $role "agent" }}
        - name: mcp
          containerPort: {{ $.Values.agent.mcpPort }}
        {{- else }}
        - name: lifecycle
          containerPort: {{ $.Values.agent.lifecyclePort }}
        {{- end }}
      env:
        - name: WARMGATE_AGENT_HOST
          value: 0.0.0.0
        - name: WARMGATE_SIDECAR_PORT
          value: {{ $.Values.agent.lifecyclePort | quote }}
        - name: WARMGATE_WORKSPACE_DIR
          value: /workspace
        {{- with $.Values.agent.nodeOptions }}
        - name: NODE_OPTIONS
          value: {{ . | quote }}
        {{- end }}
        {{- if and (eq $role "agent") $.Values.secrets.agentJwe.existingSecret }}
        - name: WARMGATE_AGENT_JWE_PRIVATE_KEY
          valueFrom:
            secretKeyRef:
              name: {{ $.Values.secrets.agentJwe.existingSecret }}
              key: {{ $.Values.secrets.agentJwe.key }}
        {{- end }}
        {{- if and (eq $role "agent") $.Values.secrets.directIssuer.existingSecret }}
        - name: WARMGATE_DIRECT_ISSUER_KEYS
          valueFrom:
            secretKeyRef:
              name: {{ $.Values.secrets.directIssuer.existingSecret }}
              key: {{ $.Values.secrets.directIssuer.key }}
        {{- end }}
        {{- include "warmgate.otelEnv" $ | nindent 8 }}
        {{- include "warmgate.env" $.Values.agent.env | nindent 8 }}
      {{- if eq $role "agent" }}
      readinessProbe:
        httpGet: { path: /healthz, port: mcp }
        periodSeconds: 2
      resources:
        {{- toYaml $.Values.agent.resources | nindent 8 }}
      {{- else }}
      readinessProbe:
        tcpSocket: { port: lifecycle }
        periodSeconds: 2
      resources:
        {{- toYaml $.Values.agent.sidecarResources | nindent 8 }}
      {{- end }}
      securityContext:
        {{- include "warmgate.containerSecurityContext" $ | nindent 8 }}
      volumeMounts:
        - name: workspace
          mountPath: /workspace
        - name: tmp
          mountPath: /tmp
    {{- end }}
  volumes:
    - name: workspace
      emptyDir:
        sizeLimit: {{ .Values.agent.workspaceSizeLimit }}
    - name: tmp
      emptyDir: {}
  {{- with .Values.agent.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.agent.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.agent.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
