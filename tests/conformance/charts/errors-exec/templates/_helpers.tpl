{{- define "ee.inner" -}}
{{- required "inner value is required" .missing -}}
{{- end -}}
{{- define "ee.recurse" -}}{{ include "ee.recurse" . }}{{- end -}}
