{{/* Labels every object carries. */}}
{{- define "cstatus.labels" -}}
app.kubernetes.io/part-of: cstatus
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The selector of one service's pods: (dict "root" $ "name" $name). */}}
{{- define "cstatus.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "cstatus.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "cstatus.image" -}}
{{ printf "%s:%s" .Values.image.repository .Values.image.tag | quote }}
{{- end -}}

{{/* The environment every container of a service has: (dict "root" $ "name" $name "svc" $svc). */}}
{{- define "cstatus.env" -}}
{{- $v := .root.Values -}}
- {name: CSTATUS_ENV, value: {{ $v.env | quote }}}
- {name: CSTATUS_KAFKA_BOOTSTRAP, value: {{ $v.kafka.bootstrap | quote }}}
- {name: CSTATUS_REDIS_URL, value: {{ $v.redis.url | quote }}}
- {name: CSTATUS_LOG_LEVEL, value: {{ $v.telemetry.logLevel | quote }}}
- {name: CSTATUS_{{ .svc.prefix }}_HTTP_HOST, value: "0.0.0.0"}
- {name: CSTATUS_{{ .svc.prefix }}_HTTP_PORT, value: {{ .svc.port | quote }}}
{{- if and (hasKey .svc "consume") (not .svc.consume) }}
- {name: CSTATUS_{{ .svc.prefix }}_CONSUME, value: "false"}
{{- end }}
{{- range $key, $value := (.svc.settings | default dict) }}
- {name: CSTATUS_{{ $.svc.prefix }}_{{ $key }}, value: {{ $value | quote }}}
{{- end }}
{{- if eq .name "status-config" }}
- {name: CSTATUS_STATUS_CONFIG_PUBLIC_URL, value: {{ $v.publicUrl | default (printf "http://%s:%v" (include "cstatus.fullname" .) .svc.port) | quote }}}
{{- end }}
{{- with $v.auth.jwksUrl }}
- {name: CSTATUS_JWKS_URL, value: {{ . | quote }}}
{{- end }}
{{- with $v.auth.issuer }}
- {name: CSTATUS_JWT_ISSUER, value: {{ . | quote }}}
{{- end }}
{{- with $v.auth.audience }}
- {name: CSTATUS_JWT_AUDIENCE, value: {{ . | quote }}}
{{- end }}
{{- with $v.telemetry.otlpEndpoint }}
- {name: CSTATUS_OTEL_ENDPOINT, value: {{ . | quote }}}
{{- end }}
- name: CSTATUS_PG_DSN
  valueFrom: {secretKeyRef: {name: {{ .svc.database.secret | quote }}, key: {{ .svc.database.key | quote }}}}
{{- end -}}
