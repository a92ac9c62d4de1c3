"""The council register: each council's code, names, region (the contract it is served under) and nation.

The embedded default is the 22 Welsh councils. `LLAIS_COUNCILS_FILE` names a JSON list of the same shape whose
entries are added to them, replacing any with the same code (English councils, say, with nation `england`). A region
is a slug (`cardiff-vale`) that people read by its name: the Welsh regions' names are here (REGIONS); a file's
council in a region of its own names it, in `region_name` and `region_name_cy`, on at least one of its councils.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

NATIONS = ("england", "wales")
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
_FIELDS = ("code", "name", "name_cy", "region", "nation")
_REGION_NAMES = ("region_name", "region_name_cy")
REGIONS = {
    "cardiff-vale": ("Cardiff and Vale", "Caerdydd a'r Fro"),
    "cwm-taf-morgannwg": ("Cwm Taf Morgannwg", "Cwm Taf Morgannwg"),
    "gwent": ("Gwent", "Gwent"),
    "north-wales": ("North Wales", "Gogledd Cymru"),
    "powys": ("Powys", "Powys"),
    "west-glamorgan": ("West Glamorgan", "Gorllewin Morgannwg"),
    "west-wales": ("West Wales", "Gorllewin Cymru"),
}
"""Each Welsh region's name in English and in Welsh (the footprints the contracts follow)."""


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


def _region_names(entry: dict, where: str) -> dict[str, tuple[str, str]]:
    """The names a council's entry gives its region, if it gives them (both, or neither)."""
    given = [f for f in _REGION_NAMES if isinstance(entry.get(f), str) and entry[f].strip()]
    if not given:
        return {}
    if len(given) == 1:
        raise CouncilFileError(f"{where}: give the region's name in both languages, region_name and region_name_cy")
    return {entry["region"].strip(): (entry["region_name"].strip(), entry["region_name_cy"].strip())}


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


def _read_region_names(path: Path) -> dict[str, tuple[str, str]]:
    names: dict[str, tuple[str, str]] = {}
    for i, entry in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        names |= _region_names(entry, f"{path.name}[{i}]")
    return names


class CouncilRegister:
    def __init__(self, councils: list[Council], regions: dict[str, tuple[str, str]] | None = None):
        self._by_code = {council.code: council for council in councils}
        self._regions = {**REGIONS, **(regions or {})}

    @classmethod
    def load(cls, path: Path | None = None) -> "CouncilRegister":
        councils, regions = _read(Path(__file__).with_name("councils_wales.json")), {}
        if path is not None:
            councils += _read(Path(path))
            regions = _read_region_names(Path(path))
            unnamed = sorted({c.region for c in councils} - set(REGIONS) - set(regions))
            if unnamed:
                raise CouncilFileError(f"{Path(path).name}: the region {', '.join(unnamed)} has no name: give "
                                       f"region_name and region_name_cy on one of its councils")
        return cls(councils, regions)

    def get(self, code: str) -> Council | None:
        return self._by_code.get(code)

    def all(self) -> list[Council]:
        return sorted(self._by_code.values(), key=lambda c: (c.nation, c.region, c.code))

    def regions(self) -> list[str]:
        """The regions of the register's councils, as slugs."""
        return sorted({council.region for council in self._by_code.values()})

    def region_name(self, slug: str, language: str) -> str:
        """A region's name in `language` (`cy` or `en`); KeyError for a region with no name."""
        english, welsh = self._regions[slug]
        return welsh if language == "cy" else english

    def __contains__(self, code: object) -> bool:
        return code in self._by_code
