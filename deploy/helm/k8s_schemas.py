"""Write the Kubernetes JSON Schemas kubeconform reads, from the `kubernetes-validate` package.

The package ships strict schemas per Kubernetes version, each with an `$id` under
kubernetes.io and `$ref`s to `/api/_definitions.json` resolved against it (a URL kubeconform
would fetch). Written here without the `$id`s and with the references pointing at the
`_definitions.json` beside each file, so everything resolves offline. Usage:

    python deploy/helm/k8s_schemas.py OUT_DIR [VERSION]   # prints the directory written
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

DEFAULT_VERSION = "1.33.0"


def write(out: Path, version: str = DEFAULT_VERSION) -> Path:
    source = resources.files("kubernetes_validate") / "kubernetes-json-schema"
    folder = source / f"v{version}-local-strict"
    if not folder.is_dir():
        known = sorted(p.name for p in source.iterdir() if p.name.endswith("-local-strict"))
        raise SystemExit(f"no schemas for Kubernetes {version}; the package has {known}")
    target = out / f"v{version}-strict"
    target.mkdir(parents=True, exist_ok=True)
    for item in folder.iterdir():
        if not item.name.endswith(".json"):
            continue
        schema = json.loads(item.read_text(encoding="utf-8"))
        schema.pop("$id", None)
        text = json.dumps(schema).replace('"/api/_definitions.json#', '"_definitions.json#')
        (target / item.name).write_text(text, encoding="utf-8")
    return target


if __name__ == "__main__":
    print(write(Path(sys.argv[1]), *sys.argv[2:3]))
