"""The architecture's one hard rule: services never import each other, and shared/ never imports a service."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("gateway", "referral", "scheduling", "casework", "complaints", "notify", "reporting")


def crossings(root: Path) -> list[str]:
    """Every import from one service (or from shared/) into another service, as 'file -> module'."""
    found = []
    for path in sorted((root / "services").rglob("*.py")) + sorted((root / "shared").rglob("*.py")):
        parts = path.relative_to(root).parts
        own = parts[1] if parts[0] == "services" and len(parts) > 2 else None
        if parts[0] == "services" and own is None:
            continue  # the composition modules (cli, platform) may know every service
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                bits = name.split(".")
                if bits[0] == "services" and len(bits) > 1 and bits[1] in SERVICES and bits[1] != own:
                    found.append(f"{path.relative_to(root)} -> {name}")
    return sorted(set(found))


def test_no_service_imports_another_and_shared_imports_none():
    assert crossings(ROOT) == []


def test_the_check_catches_a_crossing(tmp_path):
    for name in ("referral", "notify"):
        (tmp_path / "services" / name).mkdir(parents=True)
    (tmp_path / "shared").mkdir()
    (tmp_path / "services" / "notify" / "handlers.py").write_text("from services.referral import domain\n")
    (tmp_path / "shared" / "bus.py").write_text("import services.notify.app\n")
    assert crossings(tmp_path) == [
        "services/notify/handlers.py -> services.referral",
        "services/notify/handlers.py -> services.referral.domain",
        "shared/bus.py -> services.notify.app",
    ]


def test_import_linter_contracts_hold():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
