{{- define "di.name" -}}
{{ .Values.name }}-{{ .Chart.Name }}
{{- end -}}

{{- define "di.labels" }}
app: {{ include "di.name" . }}
{{- range $k, $v := .Values.labels }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}

{{/* recursion, bounded by the argument */}}
{{- define "di.countdown" -}}
{{ . }}{{ if gt . 0 }},{{ include "di.countdown" (sub . 1) }}{{ end }}
{{- end -}}

{{- define "di.withArgs" -}}
{{ .a }}+{{ .b }}={{ add .a .b }}
{{- end -}}

{{- define "di.dot" -}}[{{ . }}]{{- end -}}
