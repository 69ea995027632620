{{- define "h.broken" -}}
{{ .Values.x ) }}
{{- end -}}
