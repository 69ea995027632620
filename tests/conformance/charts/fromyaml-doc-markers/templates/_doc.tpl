{{- define "doc.clip" -}}
data:
  a.sh: |
    #!/bin/bash
    echo a
---
kind: Other
{{- end -}}
{{- define "doc.strip" -}}
data:
  a.sh: |-
    echo a
---
{{- end -}}
{{- define "doc.keep" -}}
data:
  a.sh: |+
    echo a

---
{{- end -}}
{{- define "doc.folded" -}}
data:
  a.sh: >
    echo
    a
...
{{- end -}}
{{- define "doc.eof" -}}
data:
  a.sh: |
    echo a
{{- end -}}
{{- define "doc.nested" -}}
data:
  x:
    a.sh: |
      echo a
    b: |
      echo b
---
{{- end -}}
{{- define "doc.comment" -}}
data:
  a.sh: |
    echo a
# end of the script
{{- end -}}
