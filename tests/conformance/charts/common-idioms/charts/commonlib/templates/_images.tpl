{{/* registry/repository:tag or @digest, with a global registry override. */}}
{{- define "commonlib.images.image" -}}
{{- $registry := .imageRoot.registry -}}
{{- if and .global .global.imageRegistry -}}
{{- $registry = .global.imageRegistry -}}
{{- end -}}
{{- $sep := ":" -}}
{{- $term := .imageRoot.tag | default .chart.AppVersion | toString -}}
{{- if .imageRoot.digest -}}
{{- $sep = "@" -}}
{{- $term = .imageRoot.digest | toString -}}
{{- end -}}
{{- if $registry -}}
{{- printf "%s/%s%s%s" $registry .imageRoot.repository $sep $term -}}
{{- else -}}
{{- printf "%s%s%s" .imageRoot.repository $sep $term -}}
{{- end -}}
{{- end -}}

{{- define "commonlib.images.pullSecrets" -}}
{{- $secrets := list -}}
{{- if .global -}}
{{- range .global.imagePullSecrets -}}
{{- if kindIs "map" . }}{{ $secrets = append $secrets .name }}{{ else }}{{ $secrets = append $secrets . }}{{ end -}}
{{- end -}}
{{- end -}}
{{- range .images -}}
{{- range .pullSecrets -}}
{{- if kindIs "map" . }}{{ $secrets = append $secrets .name }}{{ else }}{{ $secrets = append $secrets . }}{{ end -}}
{{- end -}}
{{- end -}}
{{- if $secrets }}
imagePullSecrets:
{{- range $secrets | uniq }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}
