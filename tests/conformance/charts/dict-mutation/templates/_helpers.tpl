{{- define "dm.addKey" -}}
{{- $_ := set .target .key .value -}}
{{- end -}}

{{- define "dm.mergeInto" -}}
{{- $_ := merge .dst .src -}}
{{- end -}}

{{- define "dm.overwrite" -}}
{{- $_ := mergeOverwrite .dst .src -}}
{{- end -}}

{{/* Returns a modified copy as YAML (the usual way helpers "return" dicts). */}}
{{- define "dm.withDefaults" -}}
{{- $out := deepCopy .Values.defaults -}}
{{- $_ := mergeOverwrite $out (.Values.overrides | default dict) -}}
{{- toYaml $out -}}
{{- end -}}
