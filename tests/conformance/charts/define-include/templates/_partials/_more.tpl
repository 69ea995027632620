{{- define "di.fromSubdir" -}}from-subdir {{ .Template.Name }}{{- end -}}
