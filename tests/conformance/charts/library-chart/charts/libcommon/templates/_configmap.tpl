{{- define "libcommon.configmap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .name }}-{{ .ctx.Release.Name }}
  labels:
    chart: {{ .ctx.Chart.Name }}
data:
  template: {{ .ctx.Template.Name }}
{{- end -}}
