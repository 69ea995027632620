{{/* Chart name, or nameOverride. */}}
{{- define "hoist.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every object name: fullnameOverride, else the release name when it already contains the
chart name (`helm install hoist …` gives "hoist", not "hoist-hoist"), else "<release>-<name>".
Truncated to 63 characters: the limit of a DNS label, which Service names must be.
*/}}
{{- define "hoist.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "hoist.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the operator pods; never change them (Deployment selectors are immutable). */}}
{{- define "hoist.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hoist.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "hoist.labels" -}}
helm.sh/chart: {{ include "hoist.chart" . }}
{{ include "hoist.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hoist
{{- end }}

{{- define "hoist.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "hoist.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "hoist.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* Leader election is forced on with more than one replica: only one pod may reconcile. */}}
{{- define "hoist.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicas) 1) }}true{{ end }}
{{- end }}

{{/* The operator's Lease name is fixed (operator/src/cli/operator.rs); it lives in the release namespace. */}}
{{- define "hoist.leaseName" -}}
hoist-operator
{{- end }}

{{/*
Removes every `x-kubernetes-validations` (CEL rules) from a CRD schema, in place. API servers before
1.25 drop the field silently (checked on a 1.24 control plane: shared notes, kubernetes-facts), so the
rules are not enforced there anyway; leaving them out makes the rendered CRD equal to what such a
server stores, so GitOps tools comparing the two (Argo CD, Flux drift detection) see no endless diff.
Renders nothing: call it as `$_ := include "hoist.dropCelRules" $spec`.
*/}}
{{- define "hoist.dropCelRules" -}}
{{- if kindIs "map" . }}
{{- $_ := unset . "x-kubernetes-validations" }}
{{- range $_, $v := . }}{{ include "hoist.dropCelRules" $v }}{{ end }}
{{- else if kindIs "slice" . }}
{{- range . }}{{ include "hoist.dropCelRules" . }}{{ end }}
{{- end }}
{{- end }}
