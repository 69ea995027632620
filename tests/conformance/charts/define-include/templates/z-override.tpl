{{- define "di.overridable" -}}override wins{{- end -}}
rendered-tpl-file: {{ include "di.name" . }}
