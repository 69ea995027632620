"""Writes the benchmark charts (our own, generated; nothing vendored) into a directory.

- `libchart-app`: an application chart of the Redis/PostgreSQL kind built on a library subchart in the
  style of the big public chart collections (names, labels, images, tplvalues, affinities, capabilities).
- `hundred`: one chart with 100 templates mixing every common idiom.
- `umbrella`: 50 subcharts (each with the library as its own dependency) whose values are templated
  strings rendered with `tpl`: Helm's known worst case (helm/helm#8002, #12016).
- `hundred-pure`: the 100-template chart in Go's template language alone (builtins, `define`/`template`,
  no Sprig or Helm functions), so engines without Helm's functions (`gtmpl-ng`) can render it too.

Every chart is rendered by Helm and by Hoist in each benchmark run (hack/bench/run.sh) and the outputs are
compared byte for byte before any figure is reported.

Usage: python3 hack/bench/gen_charts.py OUTDIR
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

LIBRARY_TEMPLATES = {
    "_names.tpl": '''
{{- define "lib.names.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "lib.names.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "lib.names.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}
''',
    "_labels.tpl": '''
{{- define "lib.labels.standard" -}}
{{- if and (hasKey . "customLabels") (hasKey . "context") -}}
{{- $default := dict "app.kubernetes.io/name" (include "lib.names.name" .context) "helm.sh/chart" (include "lib.names.chart" .context) "app.kubernetes.io/instance" .context.Release.Name "app.kubernetes.io/managed-by" .context.Release.Service -}}
{{- with .context.Chart.AppVersion -}}
{{- $_ := set $default "app.kubernetes.io/version" . -}}
{{- end -}}
{{ template "lib.tplvalues.merge" (dict "values" (list .customLabels $default) "context" .context) }}
{{- else -}}
app.kubernetes.io/name: {{ include "lib.names.name" . }}
helm.sh/chart: {{ include "lib.names.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Chart.AppVersion }}
app.kubernetes.io/version: {{ . | replace "+" "_" | quote }}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "lib.labels.matchLabels" -}}
{{- if and (hasKey . "customLabels") (hasKey . "context") -}}
{{ merge (pick (include "lib.tplvalues.render" (dict "value" .customLabels "context" .context) | fromYaml) "app.kubernetes.io/name" "app.kubernetes.io/instance") (dict "app.kubernetes.io/name" (include "lib.names.name" .context) "app.kubernetes.io/instance" .context.Release.Name ) | toYaml }}
{{- else -}}
app.kubernetes.io/name: {{ include "lib.names.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- end -}}
''',
    "_tplvalues.tpl": '''
{{- define "lib.tplvalues.render" -}}
{{- $value := typeIs "string" .value | ternary .value (.value | toYaml) }}
{{- if contains "{{" (toJson .value) }}
  {{- if .scope }}
      {{- tpl (cat "{{- with $.RelativeScope -}}" $value "{{- end }}") (merge (dict "RelativeScope" .scope) .context) }}
  {{- else }}
    {{- tpl $value .context }}
  {{- end }}
{{- else }}
    {{- $value }}
{{- end }}
{{- end -}}

{{- define "lib.tplvalues.merge" -}}
{{- $dst := dict -}}
{{- range .values -}}
{{- $dst = include "lib.tplvalues.render" (dict "value" . "context" $.context "scope" $.scope) | fromYaml | merge $dst -}}
{{- end -}}
{{ $dst | toYaml }}
{{- end -}}
''',
    "_images.tpl": '''
{{- define "lib.images.image" -}}
{{- $registryName := default .imageRoot.registry ((.global).imageRegistry) -}}
{{- $repositoryName := .imageRoot.repository -}}
{{- $separator := ":" -}}
{{- $termination := .imageRoot.tag | toString -}}
{{- if .imageRoot.digest }}
    {{- $separator = "@" -}}
    {{- $termination = .imageRoot.digest | toString -}}
{{- end -}}
{{- if $registryName }}
    {{- printf "%s/%s%s%s" $registryName $repositoryName $separator $termination -}}
{{- else -}}
    {{- printf "%s%s%s"  $repositoryName $separator $termination -}}
{{- end -}}
{{- end -}}

{{- define "lib.images.pullSecrets" -}}
{{- $pullSecrets := list }}
{{- range ((.global).imagePullSecrets) -}}
  {{- $pullSecrets = append $pullSecrets (dict "name" .) -}}
{{- end -}}
{{- range .images -}}
  {{- range .pullSecrets -}}
    {{- $pullSecrets = append $pullSecrets (dict "name" .) -}}
  {{- end -}}
{{- end -}}
{{- if (not (empty $pullSecrets)) }}
imagePullSecrets:
{{ toYaml ($pullSecrets | uniq) | indent 2 }}
{{- end }}
{{- end -}}
''',
    "_affinities.tpl": '''
{{- define "lib.affinities.pods.soft" -}}
{{- $component := default "" .component -}}
{{- $extraLabels := default (dict) .extraLabels -}}
preferredDuringSchedulingIgnoredDuringExecution:
  - podAffinityTerm:
      labelSelector:
        matchLabels: {{- (include "lib.labels.matchLabels" .context) | nindent 10 }}
          {{- if not (empty $component) }}
          {{ printf "app.kubernetes.io/component: %s" $component }}
          {{- end }}
          {{- range $key, $value := $extraLabels }}
          {{ $key }}: {{ $value | quote }}
          {{- end }}
      topologyKey: kubernetes.io/hostname
    weight: 1
{{- end -}}

{{- define "lib.affinities.pods" -}}
  {{- if eq .type "soft" }}
    {{- include "lib.affinities.pods.soft" . -}}
  {{- else if eq .type "hard" }}
    {{- include "lib.affinities.pods.soft" . -}}
  {{- end -}}
{{- end -}}
''',
    "_capabilities.tpl": '''
{{- define "lib.capabilities.kubeVersion" -}}
{{- default .Capabilities.KubeVersion.Version .Values.kubeVersion -}}
{{- end -}}

{{- define "lib.capabilities.policy.apiVersion" -}}
{{- if semverCompare "<1.21-0" (include "lib.capabilities.kubeVersion" .) -}}
{{- print "policy/v1beta1" -}}
{{- else -}}
{{- print "policy/v1" -}}
{{- end -}}
{{- end -}}

{{- define "lib.capabilities.statefulset.apiVersion" -}}
{{- if semverCompare "<1.14-0" (include "lib.capabilities.kubeVersion" .) -}}
{{- print "apps/v1beta1" -}}
{{- else -}}
{{- print "apps/v1" -}}
{{- end -}}
{{- end -}}
''',
}

APP_TEMPLATES = {
    "_helpers.tpl": '''
{{- define "app.image" -}}
{{ include "lib.images.image" (dict "imageRoot" .Values.image "global" .Values.global) }}
{{- end -}}
''',
    "statefulset.yaml": '''
apiVersion: {{ include "lib.capabilities.statefulset.apiVersion" . }}
kind: StatefulSet
metadata:
  name: {{ include "lib.names.fullname" . }}
  namespace: {{ .Release.Namespace | quote }}
  labels: {{- include "lib.labels.standard" ( dict "customLabels" .Values.commonLabels "context" $ ) | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  serviceName: {{ include "lib.names.fullname" . }}-headless
  selector:
    matchLabels: {{- include "lib.labels.matchLabels" ( dict "customLabels" .Values.podLabels "context" $ ) | nindent 6 }}
  template:
    metadata:
      labels: {{- include "lib.labels.standard" ( dict "customLabels" .Values.podLabels "context" $ ) | nindent 8 }}
      annotations:
        checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
    spec:
      {{- include "lib.images.pullSecrets" (dict "images" (list .Values.image) "global" .Values.global) | nindent 6 }}
      affinity:
        podAntiAffinity: {{- include "lib.affinities.pods" (dict "type" .Values.podAntiAffinityPreset "component" "primary" "context" $) | nindent 10 }}
      securityContext: {{- omit .Values.podSecurityContext "enabled" | toYaml | nindent 8 }}
      containers:
        - name: server
          image: {{ include "app.image" . }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          args:
            {{- range .Values.extraArgs }}
            - {{ . | quote }}
            {{- end }}
          env:
            - name: APP_PORT
              value: {{ .Values.service.port | quote }}
            {{- if .Values.extraEnvVars }}
            {{- include "lib.tplvalues.render" (dict "value" .Values.extraEnvVars "context" $) | nindent 12 }}
            {{- end }}
          ports:
            - name: tcp
              containerPort: {{ .Values.service.port }}
          resources: {{- toYaml .Values.resources | nindent 12 }}
          volumeMounts:
            - name: data
              mountPath: /data
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: {{- toYaml .Values.persistence.accessModes | nindent 10 }}
        resources:
          requests:
            storage: {{ .Values.persistence.size | quote }}
''',
    "service.yaml": '''
apiVersion: v1
kind: Service
metadata:
  name: {{ include "lib.names.fullname" . }}
  labels: {{- include "lib.labels.standard" ( dict "customLabels" .Values.commonLabels "context" $ ) | nindent 4 }}
spec:
  type: {{ .Values.service.type }}
  ports:
    - name: tcp
      port: {{ .Values.service.port }}
      targetPort: tcp
  selector: {{- include "lib.labels.matchLabels" ( dict "customLabels" .Values.podLabels "context" $ ) | nindent 4 }}
''',
    "configmap.yaml": '''
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "lib.names.fullname" . }}-config
data:
  app.conf: |-
    {{- range $k, $v := .Values.config }}
    {{ $k }} {{ $v }}
    {{- end }}
  extra.conf: |-
    {{- include "lib.tplvalues.render" (dict "value" .Values.extraConfig "context" $) | nindent 4 }}
''',
    "pdb.yaml": '''
{{- if and .Values.pdb.create (.Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget") }}
apiVersion: {{ include "lib.capabilities.policy.apiVersion" . }}
kind: PodDisruptionBudget
metadata:
  name: {{ include "lib.names.fullname" . }}
spec:
  maxUnavailable: {{ .Values.pdb.maxUnavailable }}
  selector:
    matchLabels: {{- include "lib.labels.matchLabels" ( dict "customLabels" .Values.podLabels "context" $ ) | nindent 6 }}
{{- end }}
''',
    "secret.yaml": '''
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "lib.names.fullname" . }}
type: Opaque
data:
  password: {{ .Values.auth.password | default "changeme" | b64enc | quote }}
''',
}

APP_VALUES = '''
global:
  imageRegistry: ""
  imagePullSecrets: []
nameOverride: ""
fullnameOverride: ""
commonLabels:
  team: data
podLabels:
  tier: "{{ .Release.Name }}-db"
replicaCount: 3
image:
  registry: docker.io
  repository: library/redis
  tag: "7.2.4"
  digest: ""
  pullPolicy: IfNotPresent
  pullSecrets: [regcred]
podAntiAffinityPreset: soft
podSecurityContext:
  enabled: true
  fsGroup: 1001
  runAsUser: 1001
extraArgs: ["--appendonly", "yes"]
extraEnvVars:
  - name: RELEASE
    value: "{{ .Release.Name }}"
  - name: NS
    value: "{{ .Release.Namespace }}"
service:
  type: ClusterIP
  port: 6379
resources:
  limits: {cpu: 500m, memory: 512Mi}
  requests: {cpu: 100m, memory: 128Mi}
persistence:
  accessModes: [ReadWriteOnce]
  size: 8Gi
config:
  maxmemory: 256mb
  maxmemory-policy: allkeys-lru
  timeout: 0
  tcp-keepalive: 300
extraConfig: |
  # managed by {{ .Release.Service }}
  save {{ .Values.replicaCount }} 1
auth:
  password: ""
pdb:
  create: true
  maxUnavailable: 1
'''


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))


def write_library(root: Path) -> None:
    write(root / "Chart.yaml", "apiVersion: v2\nname: lib\nversion: 2.0.0\ntype: library\n")
    for name, text in LIBRARY_TEMPLATES.items():
        write(root / "templates" / name, text)


def write_app(root: Path, name: str) -> None:
    write(root / "Chart.yaml",
          f"apiVersion: v2\nname: {name}\nversion: 1.2.3\nappVersion: \"7.2.4\"\n"
          "dependencies:\n  - name: lib\n    version: 2.x.x\n    repository: file://charts/lib\n")
    write(root / "values.yaml", APP_VALUES)
    for tname, text in APP_TEMPLATES.items():
        write(root / "templates" / tname, text)
    write_library(root / "charts" / "lib")


def write_hundred(root: Path) -> None:
    write(root / "Chart.yaml", "apiVersion: v2\nname: hundred\nversion: 0.1.0\n")
    write(root / "values.yaml", APP_VALUES + "\nitems: [a, b, c, d, e, f, g, h]\n")
    write(root / "templates" / "_helpers.tpl", '''
{{- define "h.labels" -}}
app: {{ .Chart.Name }}
release: {{ .Release.Name | quote }}
{{- end -}}
''')
    for i in range(100):
        write(root / "templates" / f"cm{i:03d}.yaml", f'''
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{{{ printf "%s-%03d" .Release.Name {i} }}}}
  labels: {{{{- include "h.labels" . | nindent 4 }}}}
data:
  index: {{{{ {i} | quote }}}}
  image: {{{{ printf "%s/%s:%s" .Values.image.registry .Values.image.repository .Values.image.tag | quote }}}}
  {{{{- range $k, $v := .Values.config }}}}
  {{{{ $k }}}}: {{{{ $v | toString | quote }}}}
  {{{{- end }}}}
  {{{{- range $i, $e := .Values.items }}}}
  item{{{{ $i }}}}: {{{{ $e | upper | repeat 2 | quote }}}}
  {{{{- end }}}}
  resources: {{{{ toJson .Values.resources | quote }}}}
  yaml: |
    {{{{- toYaml .Values.persistence | nindent 4 }}}}
  sum: {{{{ add {i} .Values.replicaCount | mul 2 }}}}
  {{{{- if gt (int .Values.replicaCount) 1 }}}}
  ha: "true"
  {{{{- else }}}}
  ha: "false"
  {{{{- end }}}}
''')


def write_hundred_pure(root: Path) -> None:
    write(root / "Chart.yaml", "apiVersion: v2\nname: hundred-pure\nversion: 0.1.0\n")
    write(root / "values.yaml", APP_VALUES + "\nitems: [a, b, c, d, e, f, g, h]\n")
    write(root / "templates" / "_helpers.tpl", '''
{{- define "h.labels" }}
  labels:
    app: {{ .Chart.Name }}
    release: {{ printf "%q" .Release.Name }}
{{- end }}

{{- define "h.image" -}}
{{- with .Values.image -}}
{{- if .registry }}{{ printf "%s/" .registry }}{{ end }}{{ .repository }}:{{ .tag }}
{{- end -}}
{{- end -}}
''')
    for i in range(100):
        write(root / "templates" / f"cm{i:03d}.yaml", f'''
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{{{ printf "%s-%03d" .Release.Name {i} }}}}
{{{{- template "h.labels" . }}}}
data:
  index: {{{{ print {i} | printf "%q" }}}}
  image: {{{{ printf "%q" (print .Values.image.registry "/" .Values.image.repository ":" .Values.image.tag) }}}}
  ref: "{{{{ template "h.image" . }}}}"
  {{{{- range $k, $v := .Values.config }}}}
  {{{{ $k }}}}: {{{{ printf "%v" $v | printf "%q" }}}}
  {{{{- end }}}}
  {{{{- range $i, $e := .Values.items }}}}
  item{{{{ $i }}}}: {{{{ printf "%s%s" $e $e | printf "%q" }}}}
  {{{{- end }}}}
  {{{{- with .Values.resources }}}}
  cpu: {{{{ printf "%s/%s" .requests.cpu .limits.cpu | printf "%q" }}}}
  {{{{- end }}}}
  replicas: {{{{ printf "%v" .Values.replicaCount | printf "%q" }}}}
  items: {{{{ len .Values.items | printf "%d" | printf "%q" }}}}
  first: {{{{ index .Values.items 0 | printf "%q" }}}}
  {{{{- if gt .Values.replicaCount 1.0 }}}}
  ha: "true"
  {{{{- else }}}}
  ha: "false"
  {{{{- end }}}}
  {{{{- if and .Values.pdb.create (not .Values.auth.password) }}}}
  pdb: {{{{ printf "%v" .Values.pdb.maxUnavailable | printf "%q" }}}}
  {{{{- end }}}}
  {{{{- if eq .Values.service.type "ClusterIP" "NodePort" }}}}
  service: {{{{ .Values.service.type | printf "%q" }}}}
  {{{{- end }}}}
  {{{{- range $n, $m := .Values.persistence.accessModes }}}}
  mode{{{{ $n }}}}: {{{{ printf "%q" $m }}}}
  {{{{- end }}}}
''')


def write_umbrella(root: Path, subcharts: int = 50) -> None:
    deps = "".join(f"  - name: svc{i:02d}\n    version: 1.2.3\n" for i in range(subcharts))
    write(root / "Chart.yaml", f"apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n{deps}")
    values = ["global:\n  imageRegistry: registry.example.com\n  env: prod\n"]
    for i in range(subcharts):
        values.append(f'''svc{i:02d}:
  replicaCount: {1 + i % 3}
  extraEnvVars:
    - name: SERVICE
      value: "{{{{ .Release.Name }}}}-svc{i:02d}"
    - name: ENV
      value: "{{{{ .Values.global.env }}}}"
    - name: REPLICAS
      value: "{{{{ .Values.replicaCount }}}}"
  extraConfig: |
    # svc{i:02d} in {{{{ .Release.Namespace }}}}
    save {{{{ .Values.replicaCount }}}} 1
''')
    write(root / "values.yaml", "".join(values))
    for i in range(subcharts):
        write_app(root / "charts" / f"svc{i:02d}", f"svc{i:02d}")


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "target/bench-charts")
    write_app(out / "libchart-app", "libchart-app")
    write_hundred(out / "hundred")
    write_umbrella(out / "umbrella")
    write_hundred_pure(out / "hundred-pure")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
