#!/usr/bin/env bash
# Install the chart's validation tools, pinned, from the Go module proxy (into $(go env GOPATH)/bin).
set -euo pipefail
HELM=helm.sh/helm/v4@v4.3.2
KUBECONFORM=github.com/yannh/kubeconform@v0.7.0
bin="$(go env GOPATH)/bin"
# A binary is current when `go version -m` names the pinned module version it was built from.
current() { [[ -x "$bin/$1" ]] && go version -m "$bin/$1" | grep -qE "^\s+mod\s+${2%@*}\s+${2#*@}(\s|$)"; }
current helm "$HELM" || {
  echo "[tools] go install helm ${HELM#*@} (a few minutes the first time)"
  go install "${HELM%@*}/cmd/helm@${HELM#*@}"
}
current kubeconform "$KUBECONFORM" || {
  echo "[tools] go install kubeconform ${KUBECONFORM#*@}"
  go install "${KUBECONFORM%@*}/cmd/kubeconform@${KUBECONFORM#*@}"
}
echo "[tools] helm ${HELM#*@}, kubeconform ${KUBECONFORM#*@} in $bin"
