{{- define "shared.name" -}}from-aaa{{- end -}}
{{- define "aaa.only" -}}aaa-only {{ .Chart.Name }}{{- end -}}
