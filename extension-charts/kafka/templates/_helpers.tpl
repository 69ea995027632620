{{/* Instance name: the Middleware name, or the release name under plain Helm. */}}
{{- define "kafka.fullname" -}}
{{- .Values.hoist.name | default .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "kafka.namespace" -}}
{{- .Values.hoist.namespace | default .Release.Namespace -}}
{{- end -}}

{{- define "kafka.selectorLabels" -}}
app.kubernetes.io/name: kafka
app.kubernetes.io/instance: {{ include "kafka.fullname" . }}
{{- end -}}

{{- define "kafka.labels" -}}
{{ include "kafka.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.hoist.version | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hoist
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}


{{- define "kafka.secretName" -}}
{{- printf "%s-cluster" (include "kafka.fullname" .) -}}
{{- end -}}

{{- define "kafka.tlsSecretName" -}}
{{- .Values.hoist.tls.secretName | default (printf "%s-tls" (include "kafka.fullname" .)) -}}
{{- end -}}


{{/*
server.properties lines for .Values.hoist.config, driven by the
hoist.dev/parameters annotation (one list of configs): unknown names fail the
render, integers are printed without exponent (values arrive as float64),
everything else as is (properties files need no quoting).
*/}}
{{- define "kafka.userConfig" -}}
{{- $defs := dict -}}
{{- range (index .Chart.Annotations "hoist.dev/parameters" | fromYamlArray) -}}
{{- $_ := set $defs .name . -}}
{{- end -}}
{{- range $name, $value := .Values.hoist.config -}}
{{- $def := index $defs $name -}}
{{- if not $def -}}
{{- fail (printf "hoist.config: unknown Kafka broker config %q" $name) -}}
{{- end -}}
{{- if eq $def.type "boolean" }}
{{ $name }}={{ eq (toString $value) "true" }}
{{- else if eq $def.type "integer" }}
{{ $name }}={{ int64 $value }}
{{- else if eq $def.type "number" }}
{{ $name }}={{ $value }}
{{- else }}
{{ $name }}={{ $value | toString }}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kafka.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "kafka.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end -}}



{{- define "kafka.headless" -}}
{{- printf "%s-headless" (include "kafka.fullname" .) -}}
{{- end -}}

{{- define "kafka.replicas" -}}
{{- if eq .Values.hoist.state "Stopped" }}0{{ else }}{{ .Values.hoist.replicas | int }}{{ end -}}
{{- end -}}
