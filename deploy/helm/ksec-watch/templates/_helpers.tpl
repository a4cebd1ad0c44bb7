{{- define "ksec-watch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ksec-watch.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ksec-watch.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ksec-watch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ksec-watch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ksec-watch.labels" -}}
helm.sh/chart: {{ include "ksec-watch.chart" . }}
{{ include "ksec-watch.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "ksec-watch.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ksec-watch.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ksec-watch.ignores" -}}
{{- $ignored := list -}}
{{- range .Values.watch.resourcesToIgnore }}{{ $ignored = append $ignored (lower .) }}{{ end -}}
{{- toJson $ignored -}}
{{- end }}
