"""Every code the platform holds has words in English and in Welsh (shared/words.py): each vocabulary of
shared/contracts, found by reading the modules rather than by a list that could fall behind, and every council and
region of the register."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import shared.contracts
from shared import councils, words
from shared.councils import CouncilFileError, CouncilRegister

SAME_IN_BOTH = {"Gwent", "Powys", "Cwm Taf Morgannwg"}
"""Names written the same in Welsh and English: anything else identical in both is taken for untranslated."""


def vocabularies() -> dict[str, tuple[str, ...]]:
    """Every module-level tuple of string codes in shared/contracts (a dict of tuples by each key), and the
    register's nations, as `module.NAME`."""
    found = {"councils.NATIONS": councils.NATIONS}
    for module_info in pkgutil.iter_modules(shared.contracts.__path__):
        module = importlib.import_module(f"shared.contracts.{module_info.name}")
        for name, value in vars(module).items():
            if name.startswith("_") or not name.isupper():
                continue
            if isinstance(value, tuple) and value and all(isinstance(code, str) for code in value):
                found[f"{module_info.name}.{name}"] = value
            if isinstance(value, dict) and value and all(isinstance(codes, tuple) for codes in value.values()):
                found |= {f"{module_info.name}.{name}.{key}": codes for key, codes in value.items()}
    return found


def test_the_contracts_vocabularies_are_found():
    found = vocabularies()
    for expected in ("referral.CLOSE_REASONS", "referral.EQUALITY.gender", "scheduling.DEADLINES",
                     "complaints.CLOCKS", "casework.THEMES", "messages.CHANNELS"):
        assert expected in found


def test_every_vocabulary_of_the_contracts_has_a_kind_of_words():
    unworded = sorted(set(vocabularies()) - set(words.VOCABULARIES))
    assert not unworded, f"give these vocabularies a kind in shared/words.VOCABULARIES: {unworded}"


def test_every_code_of_every_vocabulary_has_words_in_english_and_welsh():
    missing = []
    for name, codes in vocabularies().items():
        kind = words.VOCABULARIES.get(name)
        for code in codes:
            try:
                english, welsh = words.of(kind, code, "en"), words.of(kind, code, "cy")
            except words.UnknownCode:
                missing.append(f"{name} {code}")
                continue
            if not english.strip() or not welsh.strip() or (english == welsh and english not in SAME_IN_BOTH):
                missing.append(f"{name} {code}: {english!r} / {welsh!r}")
    assert not missing, f"codes without words in both languages: {missing}"


@pytest.mark.parametrize("kind", sorted(words.WORDS))
def test_every_kind_has_words_in_both_languages_and_welsh_that_is_welsh(kind):
    for code, (english, welsh) in words.WORDS[kind].items():
        assert english.strip() and welsh.strip(), (kind, code)
        assert english != welsh or english in SAME_IN_BOTH, f"{kind} {code}: {welsh!r} looks untranslated"


def test_every_council_and_region_has_its_name_in_both_languages():
    register = CouncilRegister.load()
    for council in register.all():
        assert words.council(council.code, "en", register) == council.name
        assert words.council(council.code, "cy", register) == council.name_cy
    for region in register.regions():
        english, welsh = words.region(region, "en", register), words.region(region, "cy", register)
        assert english and welsh and english != region and welsh != region
        assert english != welsh or english in SAME_IN_BOTH, region


def test_a_code_in_words():
    assert words.of("close_reason", "duplicate", "cy") == "Mae'n dyblygu atgyfeiriad arall"
    assert words.of("language", "cy", "cy") == "Cymraeg"
    assert words.of("language", "cy", "en") == "Welsh"
    assert words.region("cardiff-vale", "en") == "Cardiff and Vale"
    assert words.region("cardiff-vale", "cy") == "Caerdydd a'r Fro"
    assert words.council("CARDIFF", "cy") == "Caerdydd"
    assert words.of("deadline", "acknowledge_by", "cy") == "Cydnabod"


def test_a_code_without_words_is_refused_by_name():
    with pytest.raises(words.UnknownCode, match="close_reason 'lost'"):
        words.of("close_reason", "lost", "en")
    with pytest.raises(words.UnknownCode, match="no region 'atlantis'"):
        words.region("atlantis", "en")
    with pytest.raises(words.UnknownCode, match="no council 'ATLANTIS'"):
        words.council("ATLANTIS", "cy")


def test_the_active_offer_has_one_welsh_name():
    for kind in words.WORDS.values():
        for english, welsh in kind.values():
            assert "Gweithredol" not in welsh, welsh


def write(tmp_path, entries) -> object:
    import json

    path = tmp_path / "councils.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    return path


ENGLISH = {"code": "BRISTOL", "name": "Bristol", "name_cy": "Bryste", "region": "south-west", "nation": "england"}


def test_a_councils_file_names_the_regions_it_brings(tmp_path):
    named = {**ENGLISH, "region_name": "South West", "region_name_cy": "De-orllewin Lloegr"}
    register = CouncilRegister.load(write(tmp_path, [named]))
    assert words.region("south-west", "cy", register) == "De-orllewin Lloegr"
    assert words.council("BRISTOL", "cy", register) == "Bryste"


def test_a_councils_file_with_a_region_without_its_names_is_refused(tmp_path):
    with pytest.raises(CouncilFileError, match="south-west has no name"):
        CouncilRegister.load(write(tmp_path, [ENGLISH]))
    with pytest.raises(CouncilFileError, match="both languages"):
        CouncilRegister.load(write(tmp_path, [{**ENGLISH, "region_name": "South West"}]))
