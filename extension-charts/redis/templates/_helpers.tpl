{{/* Instance name: the Middleware name, or the release name under plain Helm. */}}
{{- define "redis.fullname" -}}
{{- .Values.hoist.name | default .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "redis.namespace" -}}
{{- .Values.hoist.namespace | default .Release.Namespace -}}
{{- end -}}

{{- define "redis.selectorLabels" -}}
app.kubernetes.io/name: redis
app.kubernetes.io/instance: {{ include "redis.fullname" . }}
{{- end -}}

{{- define "redis.labels" -}}
{{ include "redis.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.hoist.version | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hoist
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "redis.replication" -}}
{{- if eq .Values.topology "replication" }}true{{ end -}}
{{- end -}}

{{- define "redis.secretName" -}}
{{- .Values.auth.existingSecret | default (printf "%s-auth" (include "redis.fullname" .)) -}}
{{- end -}}

{{- define "redis.tlsSecretName" -}}
{{- .Values.hoist.tls.secretName | default (printf "%s-tls" (include "redis.fullname" .)) -}}
{{- end -}}

{{- define "redis.replicas" -}}
{{- if and (not (include "redis.replication" .)) (gt (.Values.hoist.replicas | int) 1) -}}
{{- fail "redis: topology standalone runs exactly one member; set spec.values.topology: replication for more" -}}
{{- end -}}
{{- if eq .Values.hoist.state "Stopped" -}}0
{{- else if include "redis.replication" . -}}{{ .Values.hoist.replicas | int }}
{{- else -}}1
{{- end -}}
{{- end -}}

{{- define "redis.headless" -}}
{{- printf "%s-headless" (include "redis.fullname" .) -}}
{{- end -}}

{{/*
redis.conf lines for .Values.hoist.config, driven by the hoist.dev/parameters
annotation so that the chart has one list of parameters: unknown names fail
the render, booleans become yes/no, integers are printed without exponent
(values arrive as float64 from YAML), everything else is quoted.
*/}}
{{- define "redis.userConfig" -}}
{{- $defs := dict -}}
{{- range (index .Chart.Annotations "hoist.dev/parameters" | fromYamlArray) -}}
{{- $_ := set $defs .name . -}}
{{- end -}}
{{- range $name, $value := .Values.hoist.config -}}
{{- $def := index $defs $name -}}
{{- if not $def -}}
{{- fail (printf "hoist.config: unknown Redis parameter %q" $name) -}}
{{- end -}}
{{- if eq $def.type "boolean" }}
{{ $name }} {{ ternary "yes" "no" (eq (toString $value) "true") }}
{{- else if eq $def.type "integer" }}
{{ $name }} {{ int64 $value }}
{{- else }}
{{ $name }} {{ $value | toString | quote }}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "redis.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 999
runAsGroup: 999
fsGroup: 999
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "redis.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "redis.tlsEnv" -}}
- name: REDIS_TLS_ENABLED
  value: {{ .Values.hoist.tls.enabled | quote }}
- name: HOIST_TLS_DIR
  value: /etc/hoist/tls
{{- end -}}

{{/*
Pod spec of a backup/restore Job: the engine image runs a hook script against
the primary Service with the backup volume mounted at /backup.
*/}}
{{- define "redis.toolPodSpec" -}}
{{- $ := .ctx -}}
{{- $fullname := include "redis.fullname" $ -}}
restartPolicy: Never
serviceAccountName: {{ $fullname }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- include "redis.podSecurityContext" $ | nindent 2 }}
containers:
  - name: {{ trimSuffix ".sh" .script }}
    image: {{ $.Values.toolsImage | default $.Values.hoist.image }}
    imagePullPolicy: IfNotPresent
    command: [sh, /hoist/hooks/{{ .script }}]
    env:
      - name: REDIS_HOST
        value: {{ printf "%s.%s.svc" $fullname (include "redis.namespace" $) }}
      - name: REDIS_PORT
        value: "6379"
      - name: REDIS_PASSWORD
        valueFrom:
          secretKeyRef: {name: {{ include "redis.secretName" $ }}, key: password}
      - name: HOIST_BACKUP_DIR
        value: /backup
      - name: HOIST_BACKUP_RETENTION
        value: {{ $.Values.hoist.backup.retention | int | quote }}
      - name: HOIST_PARAM_BACKUPNAME
        value: {{ .backupName | quote }}
      {{- if hasKey . "flush" }}
      - name: HOIST_PARAM_FLUSH
        value: {{ .flush | quote }}
      {{- end }}
      - name: SCRATCH_DIR
        value: /scratch
      {{- include "redis.tlsEnv" $ | nindent 6 }}
    resources:
      {{- toYaml $.Values.hoist.resources | nindent 6 }}
    securityContext:
      {{- include "redis.containerSecurityContext" $ | nindent 6 }}
    volumeMounts:
      - {name: backup, mountPath: /backup}
      - {name: scratch, mountPath: /scratch}
      - {name: scripts, mountPath: /hoist/hooks, readOnly: true}
      {{- if $.Values.hoist.tls.enabled }}
      - {name: tls, mountPath: /etc/hoist/tls, readOnly: true}
      {{- end }}
volumes:
  - name: backup
    persistentVolumeClaim:
      claimName: {{ $.Values.hoist.backup.storage.claimName | default (printf "%s-backup" $fullname) }}
  - name: scratch
    emptyDir: {}
  - name: scripts
    configMap:
      name: {{ $fullname }}-scripts
      defaultMode: 0555
  {{- if $.Values.hoist.tls.enabled }}
  - name: tls
    secret:
      secretName: {{ include "redis.tlsSecretName" $ }}
      defaultMode: 0440
  {{- end }}
{{- end -}}
