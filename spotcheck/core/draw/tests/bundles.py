"""The golden vectors, and draw bundles on disk: write one, reseal it after an edit, and run
the standalone verifier (tools/verify_draw.py) on it.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from spotcheck.core.draw.bundle import manifest
from spotcheck.core.draw.canonical import canonical_json
from spotcheck.core.draw.tests import scenario

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.json"))
VERIFIER = Path(__file__).resolve().parents[4] / "tools" / "verify_draw.py"


def load(path: Path) -> dict[str, Any]:
    """Read one golden vector."""
    vector: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return vector


def verify(
    bundle: Path, *args: str, python: str = sys.executable
) -> subprocess.CompletedProcess[str]:
    """Run tools/verify_draw.py in a clean interpreter that cannot see the project."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run(  # noqa: S603 - fixed argv, no shell
        [python, "-I", str(VERIFIER), str(bundle), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=bundle.parent,
        check=False,
    )


def write(vector: dict[str, Any], directory: Path) -> Path:
    """Run a vector's inputs through the engine and write the bundle into ``directory``."""
    scenario.run(vector["inputs"]).write(directory)
    return directory


def reseal(bundle: Path) -> None:
    """Rewrite manifest.json after an edit, as a careful forger would."""
    names = [p.name for p in bundle.iterdir() if p.name != "manifest.json"]
    files = {name: (bundle / name).read_bytes() for name in names}
    (bundle / "manifest.json").write_bytes(canonical_json(manifest(files)))


def python38() -> str | None:
    """A Python 3.8 interpreter of this machine, if there is one."""
    # A pyenv shim on PATH may exist without the version being active, so prefer the
    # interpreter itself.
    candidates = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.8*/bin/python")))
    found = shutil.which("python3.8")
    if candidates:
        return candidates[0]
    return found if found and "shims" not in found else None
