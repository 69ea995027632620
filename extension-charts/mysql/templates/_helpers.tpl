{{/* Instance name: the Middleware name, or the release name under plain Helm. */}}
{{- define "mysql.fullname" -}}
{{- .Values.hoist.name | default .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "mysql.namespace" -}}
{{- .Values.hoist.namespace | default .Release.Namespace -}}
{{- end -}}

{{- define "mysql.selectorLabels" -}}
app.kubernetes.io/name: mysql
app.kubernetes.io/instance: {{ include "mysql.fullname" . }}
{{- end -}}

{{- define "mysql.labels" -}}
{{ include "mysql.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.hoist.version | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hoist
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}


{{- define "mysql.secretName" -}}
{{- .Values.auth.existingSecret | default (printf "%s-auth" (include "mysql.fullname" .)) -}}
{{- end -}}

{{- define "mysql.tlsSecretName" -}}
{{- .Values.hoist.tls.secretName | default (printf "%s-tls" (include "mysql.fullname" .)) -}}
{{- end -}}


{{/*
my.cnf lines for .Values.hoist.config, driven by the hoist.dev/parameters
annotation (one list of variables): unknown names fail the render, booleans
become ON/OFF, integers are printed without exponent (values arrive as
float64), numbers bare, strings double-quoted.
*/}}
{{- define "mysql.userConfig" -}}
{{- $defs := dict -}}
{{- range (index .Chart.Annotations "hoist.dev/parameters" | fromYamlArray) -}}
{{- $_ := set $defs .name . -}}
{{- end -}}
{{- range $name, $value := .Values.hoist.config -}}
{{- $def := index $defs $name -}}
{{- if not $def -}}
{{- fail (printf "hoist.config: unknown MySQL variable %q" $name) -}}
{{- end -}}
{{- if eq $def.type "boolean" }}
{{ $name }} = {{ ternary "ON" "OFF" (eq (toString $value) "true") }}
{{- else if eq $def.type "integer" }}
{{ $name }} = {{ int64 $value }}
{{- else if eq $def.type "number" }}
{{ $name }} = {{ $value }}
{{- else }}
{{ $name }} = {{ $value | toString | quote }}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "mysql.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 999
runAsGroup: 999
fsGroup: 999
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "mysql.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end -}}



{{- define "mysql.headless" -}}
{{- printf "%s-headless" (include "mysql.fullname" .) -}}
{{- end -}}

{{- define "mysql.replicas" -}}
{{- if eq .Values.hoist.state "Stopped" }}0{{ else }}{{ .Values.hoist.replicas | int }}{{ end -}}
{{- end -}}


{{- define "mysql.backupClaim" -}}
{{- .Values.hoist.backup.storage.claimName | default (printf "%s-backup" (include "mysql.fullname" .)) -}}
{{- end -}}

{{/* client environment of every container and Job that talks to the server. */}}
{{- define "mysql.clientEnv" -}}
- name: MYSQL_USER
  value: hoist
- name: MYSQL_PWD
  valueFrom:
    secretKeyRef: {name: {{ include "mysql.secretName" .ctx }}, key: root-password}
- name: REPLICATION_USER
  value: replicator
- name: REPLICATION_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ include "mysql.secretName" .ctx }}, key: replication-password}
- name: MYSQL_HOST
  value: {{ .host }}
- name: MYSQL_PORT
  value: "3306"
- name: MYSQL_TLS
  value: {{ .ctx.Values.hoist.tls.enabled | quote }}
- name: HOIST_TLS_DIR
  value: /etc/hoist/tls
{{- end -}}

{{/*
Pod spec of a backup/restore Job: the engine image runs a hook script with the
backup volume at /backup, against the primary Service.
*/}}
{{- define "mysql.toolPodSpec" -}}
{{- $ := .ctx -}}
{{- $fullname := include "mysql.fullname" $ -}}
restartPolicy: Never
serviceAccountName: {{ $fullname }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- include "mysql.podSecurityContext" $ | nindent 2 }}
containers:
  - name: {{ trimSuffix ".sh" .script }}
    image: {{ $.Values.hoist.image }}
    imagePullPolicy: IfNotPresent
    command: [sh, /hoist/hooks/{{ .script }}]
    env:
      {{- include "mysql.clientEnv" (dict "ctx" $ "host" (printf "%s.%s.svc" $fullname (include "mysql.namespace" $))) | nindent 6 }}
      - name: HOIST_BACKUP_DIR
        value: /backup
      - name: HOIST_BACKUP_RETENTION
        value: {{ $.Values.hoist.backup.retention | int | quote }}
      - name: HOIST_PARAM_BACKUPNAME
        value: {{ .backupName | quote }}
      {{- if .restore }}
      - name: HOIST_PARAM_FLUSH
        value: {{ .flush | quote }}
      {{- end }}
    resources:
      {{- toYaml $.Values.hoist.resources | nindent 6 }}
    securityContext:
      {{- include "mysql.containerSecurityContext" $ | nindent 6 }}
    volumeMounts:
      - {name: backup, mountPath: /backup}
      - {name: scripts, mountPath: /hoist/hooks, readOnly: true}
      - {name: tmp, mountPath: /tmp}
      {{- if $.Values.hoist.tls.enabled }}
      - {name: tls, mountPath: /etc/hoist/tls, readOnly: true}
      {{- end }}
volumes:
  - name: backup
    persistentVolumeClaim:
      claimName: {{ include "mysql.backupClaim" $ }}
  - name: tmp
    emptyDir: {}
  - name: scripts
    configMap:
      name: {{ $fullname }}-scripts
      defaultMode: 0555
  {{- if $.Values.hoist.tls.enabled }}
  - name: tls
    secret:
      secretName: {{ include "mysql.tlsSecretName" $ }}
      defaultMode: 0440
  {{- end }}
{{- end -}}
