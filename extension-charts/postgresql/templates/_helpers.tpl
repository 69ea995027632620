{{/* Instance name: the Middleware name, or the release name under plain Helm. */}}
{{- define "pg.fullname" -}}
{{- .Values.hoist.name | default .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "pg.namespace" -}}
{{- .Values.hoist.namespace | default .Release.Namespace -}}
{{- end -}}

{{- define "pg.selectorLabels" -}}
app.kubernetes.io/name: postgresql
app.kubernetes.io/instance: {{ include "pg.fullname" . }}
{{- end -}}

{{- define "pg.labels" -}}
{{ include "pg.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.hoist.version | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hoist
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}


{{- define "pg.secretName" -}}
{{- .Values.auth.existingSecret | default (printf "%s-auth" (include "pg.fullname" .)) -}}
{{- end -}}

{{- define "pg.tlsSecretName" -}}
{{- .Values.hoist.tls.secretName | default (printf "%s-tls" (include "pg.fullname" .)) -}}
{{- end -}}


{{/*
postgresql.conf lines for .Values.hoist.config, driven by the
hoist.dev/parameters annotation (one list of parameters): unknown names fail
the render, booleans become on/off, integers are printed without exponent
(values arrive as float64), numbers bare, everything else single-quoted.
*/}}
{{- define "pg.userConfig" -}}
{{- $defs := dict -}}
{{- range (index .Chart.Annotations "hoist.dev/parameters" | fromYamlArray) -}}
{{- $_ := set $defs .name . -}}
{{- end -}}
{{- range $name, $value := .Values.hoist.config -}}
{{- $def := index $defs $name -}}
{{- if not $def -}}
{{- fail (printf "hoist.config: unknown PostgreSQL parameter %q" $name) -}}
{{- end -}}
{{- if eq $def.type "boolean" }}
{{ $name }} = {{ ternary "on" "off" (eq (toString $value) "true") }}
{{- else if eq $def.type "integer" }}
{{ $name }} = {{ int64 $value }}
{{- else if eq $def.type "number" }}
{{ $name }} = {{ $value }}
{{- else }}
{{ $name }} = {{ $value | toString | replace "'" "''" | printf "'%s'" }}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "pg.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 999
runAsGroup: 999
fsGroup: 999
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "pg.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end -}}



{{- define "pg.headless" -}}
{{- printf "%s-headless" (include "pg.fullname" .) -}}
{{- end -}}

{{- define "pg.replicas" -}}
{{- if eq .Values.hoist.state "Stopped" }}0{{ else }}{{ .Values.hoist.replicas | int }}{{ end -}}
{{- end -}}

{{- define "pg.continuous" -}}
{{- if and .Values.hoist.backup.enabled (eq .Values.hoist.backup.method "continuous") }}true{{ end -}}
{{- end -}}

{{- define "pg.backupClaim" -}}
{{- .Values.hoist.backup.storage.claimName | default (printf "%s-backup" (include "pg.fullname" .)) -}}
{{- end -}}

{{/* libpq environment of every container and Job that talks to PostgreSQL. */}}
{{- define "pg.clientEnv" -}}
- name: PGUSER
  value: postgres
- name: PGPASSWORD
  valueFrom:
    secretKeyRef: {name: {{ include "pg.secretName" .ctx }}, key: postgres-password}
- name: REPLICATION_USER
  value: replicator
- name: REPLICATION_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ include "pg.secretName" .ctx }}, key: replication-password}
- name: PGHOST
  value: {{ .host }}
- name: PGPORT
  value: "5432"
- name: PGSSLMODE
  value: {{ ternary "verify-ca" "prefer" .ctx.Values.hoist.tls.enabled }}
{{- if .ctx.Values.hoist.tls.enabled }}
- name: PGSSLROOTCERT
  value: /etc/hoist/tls/ca.crt
{{- end }}
{{- end -}}

{{/*
Pod spec of a backup/restore Job: the engine image runs a hook script with the
backup volume at /backup (and, for restore, the data volume of ordinal 0).
*/}}
{{- define "pg.toolPodSpec" -}}
{{- $ := .ctx -}}
{{- $fullname := include "pg.fullname" $ -}}
restartPolicy: Never
serviceAccountName: {{ $fullname }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- include "pg.podSecurityContext" $ | nindent 2 }}
containers:
  - name: {{ trimSuffix ".sh" .script }}
    image: {{ $.Values.hoist.image }}
    imagePullPolicy: IfNotPresent
    command: [sh, /hoist/hooks/{{ .script }}]
    env:
      {{- include "pg.clientEnv" (dict "ctx" $ "host" (printf "%s.%s.svc" $fullname (include "pg.namespace" $))) | nindent 6 }}
      - name: HOIST_BACKUP_DIR
        value: /backup
      - name: WAL_ARCHIVE_DIR
        value: /backup/wal
      - name: HOIST_BACKUP_RETENTION
        value: {{ $.Values.hoist.backup.retention | int | quote }}
      - name: HOIST_PARAM_BACKUPNAME
        value: {{ .backupName | quote }}
      {{- if .restore }}
      - name: HOIST_PARAM_TARGETTIME
        value: {{ .targetTime | default "" | quote }}
      - name: PGDATA
        value: /var/lib/postgresql/data/pgdata
      {{- end }}
    resources:
      {{- toYaml $.Values.hoist.resources | nindent 6 }}
    securityContext:
      {{- include "pg.containerSecurityContext" $ | nindent 6 }}
    volumeMounts:
      - {name: backup, mountPath: /backup}
      - {name: scripts, mountPath: /hoist/hooks, readOnly: true}
      - {name: tmp, mountPath: /tmp}
      {{- if .restore }}
      - {name: data, mountPath: /var/lib/postgresql/data}
      {{- end }}
      {{- if $.Values.hoist.tls.enabled }}
      - {name: tls, mountPath: /etc/hoist/tls, readOnly: true}
      {{- end }}
volumes:
  - name: backup
    persistentVolumeClaim:
      claimName: {{ include "pg.backupClaim" $ }}
  - name: tmp
    emptyDir: {}
  - name: scripts
    configMap:
      name: {{ $fullname }}-scripts
      defaultMode: 0555
  {{- if .restore }}
  - name: data
    persistentVolumeClaim:
      claimName: {{ printf "data-%s-0" $fullname }}
  {{- end }}
  {{- if $.Values.hoist.tls.enabled }}
  - name: tls
    secret:
      secretName: {{ include "pg.tlsSecretName" $ }}
      defaultMode: 0440
  {{- end }}
{{- end -}}
