"""The web forms' words: every code a service uses has a label, and every text has its Welsh."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from services.referral import domain as referral_domain
from shared.contracts import casework, complaints
from services.gateway.web import cases, child_record, complaints as complaint_pages, forms

WEB = Path(forms.__file__).resolve().parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_every_code_the_services_use_has_a_label():
    assert {code for code, _ in cases.THEMES} == set(casework.THEMES)
    assert {code for code, _ in cases.ISSUE_OUTCOMES} == set(casework.ISSUE_OUTCOMES)
    assert {code for code, _ in cases.ACTIVITIES} == set(casework.ACTIVITIES)
    assert {code for code, _ in cases.CONTRIBUTIONS} == set(casework.CONTRIBUTIONS)
    assert {code for code, _ in cases.SIGNPOSTS} == set(casework.SIGNPOSTS)
    assert {code for code, _ in cases.DISCLOSURE_REASONS} == set(casework.DISCLOSURE_REASONS)
    assert {code for code, _ in cases.CASE_OUTCOMES} == set(casework.CASE_OUTCOMES)
    assert {code for code, _ in complaint_pages.KINDS} == set(complaints.KINDS)
    assert {code for code, _ in complaint_pages.MADE_BY} == set(complaints.FROM)
    assert set(forms.WORDS["basis"]) == set(referral_domain.ELIGIBILITY) | set(referral_domain.ACTIVE_OFFER_BASES)
    assert set(child_record.OUTCOMES) == set(casework.ISSUE_OUTCOMES) | set(casework.CASE_OUTCOMES)
    assert set(child_record.CONTRIBUTIONS) == set(casework.CONTRIBUTIONS)
    assert set(child_record.REASONS) == set(casework.DISCLOSURE_REASONS)


def test_every_text_of_the_pages_has_its_welsh_with_the_same_placeholders():
    catalogue = read_po((WEB / "translations" / "cy" / "LC_MESSAGES" / "messages.po").open("rb"), locale="cy")
    translated = {m.id: m.string for m in catalogue if m.id}
    extracted = {message for _, _, message, _, _ in extract_from_dir(
        str(WEB), method_map=[("**/templates/**.html", "jinja2"), ("**.py", "python")],
        keywords={"_": None, "_l": None, "gettext": None, "lazy_gettext": None})}
    missing = sorted(m for m in extracted if isinstance(m, str) and not translated.get(m))
    assert not missing, f"run `make translations` and translate: {missing[:10]}"
    for english, welsh in translated.items():
        assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(welsh)), english
        assert welsh != english or english in ("Llais",), f"not translated: {english!r}"
