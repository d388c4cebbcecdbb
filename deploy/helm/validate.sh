#!/usr/bin/env bash
# Lint the chart and validate what it renders, strictly, against the Kubernetes schemas (from the
# kubernetes-validate package) and the operators' CRDs this chart uses (deploy/helm/crd-schemas):
# for the default values and for every example in deploy/helm/examples/.
#   deploy/helm/validate.sh            (make chart; needs helm and kubeconform on PATH or in ~/go/bin)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PY=${PYTHON:-.venv/bin/python}
K8S_VERSION=${K8S_VERSION:-1.33.0}
export PATH="$PATH:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
chart=deploy/helm/cstatus
for tool in helm kubeconform; do
  command -v "$tool" >/dev/null || { echo "chart: $tool not found (deploy/helm/tools.sh installs it)" >&2; exit 2; }
done
schemas=$("$PY" deploy/helm/k8s_schemas.py .cache/k8s-schemas "$K8S_VERSION")
crds=deploy/helm/crd-schemas
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for values in default deploy/helm/examples/*.yaml; do
  args=()
  [[ $values == default ]] || args=(-f "$values")
  echo "== $values"
  helm lint --strict "$chart" "${args[@]}" --kube-version "$K8S_VERSION" || status=1
  helm template cstatus "$chart" "${args[@]}" --namespace cstatus --kube-version "$K8S_VERSION" \
    >"$out/rendered.yaml" || { status=1; continue; }
  echo "rendered: $(grep -c '^kind:' "$out/rendered.yaml") objects ($(grep '^kind:' "$out/rendered.yaml" | sort | uniq -c | awk '{printf "%s %s, ", $1, $3}' | sed 's/, $//'))"
  kubeconform -strict -summary -kubernetes-version "$K8S_VERSION" \
    -schema-location "$schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    "$out/rendered.yaml" || status=1
done
# A values file with a key the chart does not know is refused (values.schema.json).
printf 'replicaCount: 3\n' >"$out/unknown.yaml"
if helm template cstatus "$chart" -f "$out/unknown.yaml" >/dev/null 2>"$out/err"; then
  echo "chart: an unknown values key was accepted" >&2; status=1
else
  echo "an unknown values key is refused: $(grep -o "additional properties 'replicaCount' not allowed\|replicaCount.*not allowed" "$out/err" | head -1)"
fi
exit $status
