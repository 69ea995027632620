{{/* Standard labels merged with user labels; user labels win except for the selector ones. */}}
{{- define "commonlib.labels.standard" -}}
{{- $default := dict "app.kubernetes.io/name" (include "commonlib.names.name" .context) "helm.sh/chart" (include "commonlib.names.chart" .context) "app.kubernetes.io/instance" .context.Release.Name "app.kubernetes.io/managed-by" .context.Release.Service -}}
{{- with .context.Chart.AppVersion -}}
{{- $_ := set $default "app.kubernetes.io/version" . -}}
{{- end -}}
{{- $custom := .customLabels | default dict -}}
{{- toYaml (merge (pick $default "app.kubernetes.io/name" "app.kubernetes.io/instance") $custom $default) -}}
{{- end -}}

{{- define "commonlib.labels.matchLabels" -}}
{{- $labels := dict "app.kubernetes.io/name" (include "commonlib.names.name" .context) "app.kubernetes.io/instance" .context.Release.Name -}}
{{- toYaml $labels -}}
{{- end -}}
