{{/* The chart name, or nameOverride. */}}
{{- define "lightcluster-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the release's objects: fullnameOverride, the release name when it
already holds the chart name, or both joined.
*/}}
{{- define "lightcluster-operator.fullname" -}}
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

{{/* The labels that select the operator pods. */}}
{{- define "lightcluster-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lightcluster-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The labels of every object of the release. */}}
{{- define "lightcluster-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 }}
{{ include "lightcluster-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ include "lightcluster-operator.tag" . | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: lightcluster
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The ServiceAccount the operator runs as. */}}
{{- define "lightcluster-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "lightcluster-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- $msg := "serviceAccount.name is required when serviceAccount.create is false" }}
{{- required $msg .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image tag: image.tag or the chart's appVersion. */}}
{{- define "lightcluster-operator.tag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/* The image reference. */}}
{{- define "lightcluster-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (include "lightcluster-operator.tag" .) }}
{{- end }}

{{/* "true" when leader election is on: by value, or because there is more than one replica. */}}
{{- define "lightcluster-operator.leaderElect" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}
