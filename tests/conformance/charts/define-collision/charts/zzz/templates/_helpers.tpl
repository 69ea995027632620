{{- define "shared.name" -}}from-zzz{{- end -}}
{{- define "zzz.only" -}}zzz-only {{ .Chart.Name }}{{- end -}}
