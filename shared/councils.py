"""The council register: each council's code, names, region (the contract it is served under) and nation.

The embedded default is the 22 Welsh councils. `LLAIS_COUNCILS_FILE` names a JSON list of the same shape whose
entries are added to them, replacing any with the same code (English councils, say, with nation `england`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

NATIONS = ("england", "wales")
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
_FIELDS = ("code", "name", "name_cy", "region", "nation")


class CouncilFileError(ValueError):
    pass


@dataclass(frozen=True)
class Council:
    code: str
    name: str
    name_cy: str
    region: str
    nation: str


def _council(entry: object, where: str) -> Council:
    if not isinstance(entry, dict):
        raise CouncilFileError(f"{where}: each council must be a JSON object")
    missing = [f for f in _FIELDS if not isinstance(entry.get(f), str) or not entry[f].strip()]
    if missing:
        raise CouncilFileError(f"{where}: missing or empty {', '.join(missing)}")
    if not _CODE.match(entry["code"]):
        raise CouncilFileError(f"{where}: code {entry['code']!r} must be capitals, digits and underscores")
    if entry["nation"] not in NATIONS:
        raise CouncilFileError(f"{where}: nation must be one of {', '.join(NATIONS)}")
    return Council(**{f: entry[f].strip() for f in _FIELDS})


def _read(path: Path) -> list[Council]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CouncilFileError(f"cannot read the council register {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise CouncilFileError(f"{path} is not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(entries, list):
        raise CouncilFileError(f"{path} must hold a JSON list of councils")
    return [_council(entry, f"{path.name}[{i}]") for i, entry in enumerate(entries)]


class CouncilRegister:
    def __init__(self, councils: list[Council]):
        self._by_code = {council.code: council for council in councils}

    @classmethod
    def load(cls, path: Path | None = None) -> "CouncilRegister":
        councils = _read(Path(__file__).with_name("councils_wales.json"))
        if path is not None:
            councils += _read(Path(path))
        return cls(councils)

    def get(self, code: str) -> Council | None:
        return self._by_code.get(code)

    def all(self) -> list[Council]:
        return sorted(self._by_code.values(), key=lambda c: (c.nation, c.region, c.code))

    def __contains__(self, code: object) -> bool:
        return code in self._by_code
