"""The browser tests' check that a page reads as words, tested on its own so it cannot pass silently: a code, a slug,
a timestamp, English on a Welsh page or a page wider than a phone fails it, naming the page, the text and where;
an ordinary page passes."""

from __future__ import annotations

import pytest

from tests.e2e.browser import words

ORDINARY = """Referral for Cerys Jones
Council\tCardiff
Region\tCardiff and Vale
Preferred language\tWelsh
How to contact\tphone, text or email
Meeting\t6 December 2026, 10:00 to 11:00 (10:00-11:00) at school, at home or somewhere other
Received\t2 days ago
Reference\t01A2-4B8F"""

WELSH = """Atgyfeiriad ar gyfer Cerys Jones
Dyddiad geni\t2 Mai 2013
Cyngor\tCaerdydd
Rhanbarth\tCaerdydd a'r Fro
Cytuno ar y cynllun"""


@pytest.mark.parametrize("text", [ORDINARY, WELSH])
def test_an_ordinary_page_reads_as_words(text):
    assert words.findings_in(text, "en") == []
    assert words.findings_in(WELSH, "cy") == []


@pytest.mark.parametrize("shown, found", [
    ("Region\tcardiff-vale", "cardiff-vale"),
    ("Received\t2026-12-06T10:00:00Z", "2026-12-06T10:00:00Z"),
    ("Received\t2026-12-06", "2026-12-06"),
    ("Due\t2026-12-06 10:00+00:00", "2026-12-06 10:00+00:00"),
    ("Due at 10:00:00+00:00", "10:00:00+00:00"),
    ("Meeting\tnot_held", "not_held"),
    ("Outcome: take_up.", "take_up"),
    ("Deadlines missed: acknowledge_by / allocate_by", "acknowledge_by"),
    ("Council\tCARDIFF", "CARDIFF"),
    ("Council\tNEATH_PORT_TALBOT", "NEATH_PORT_TALBOT"),
    ("Preferred language\tcy", "cy"),
    ("Language: en", "en"),
    ("Gender\tnon_binary", "non_binary"),
])
def test_a_code_or_a_timestamp_fails(shown, found):
    findings = words.findings_in(f"Referral\n{shown}\nBack", "en")
    assert found in [f.text for f in findings], findings
    assert any(shown.split("\t")[0] in f.where for f in findings), "the finding says where it stands"


def test_a_code_inside_a_longer_word_is_not_a_code():
    assert words.findings_in("Cardiff-vale-ish, cymraeg, encore, NEWPORTS, pre-take_up-ness", "en") == []


def test_english_the_catalogue_translates_fails_on_a_welsh_page_only():
    assert "Date of birth" in words.english_the_catalogue_translates()
    welsh_page = WELSH.replace("Dyddiad geni", "Date of birth")
    findings = words.findings_in(welsh_page, "cy")
    assert [f.text for f in findings] == ["Date of birth"]
    assert "2 Mai 2013" in findings[0].where
    assert words.findings_in(welsh_page, "en") == []


def test_a_code_written_out_in_english_fails_on_a_welsh_page_only():
    report = "Terfynau a fethwyd\nAcknowledge by / allocate by\t2"
    assert {f.text for f in words.findings_in(report, "cy")} == {"Acknowledge by", "allocate by"}
    assert words.findings_in(report, "en") == []


def test_every_vocabulary_code_that_is_no_word_is_known():
    known = words.codes()
    assert {"cardiff-vale", "not_held", "take_up", "acknowledge_by", "CARDIFF", "cy", "en",
            "share_arrangements_with_referrer", "non_binary", "respond_by", "stage_2_respond_by"} <= known
    assert not known & {"phone", "text", "email", "home", "school", "other", "yes", "no", "wales", "Cardiff"}


class FakePage:
    """A page as the browser would report it: its text, its language and, at 375 px, how wide it is."""

    def __init__(self, text: str, language: str = "en", wide_at_phone: bool = False,
                 options: str = "Cardiff and Vale\nGwent"):
        self.url = "http://llais.test/referrals/r1"
        self.text, self.language, self.wide_at_phone, self.options = text, language, wide_at_phone, options
        self.viewport_size = {"width": 1280, "height": 800}
        self.sizes = []

    def set_viewport_size(self, size):
        self.sizes.append(size)
        self.viewport_size = size

    def evaluate(self, script):
        if script == words._TEXT:
            return {"language": self.language, "text": self.text, "other": ["Cymraeg"],
                    "selects": [["the choices of “Region”", self.options]]}
        if script == words._WIDEST:
            if self.wide_at_phone and self.viewport_size["width"] == 375:
                return {"width": 420, "screen": 375, "named": "table.govuk-table reaching 420px “Week 1”"}
            return None
        return self.language


def test_reads_as_words_names_the_page_the_text_and_where():
    page = FakePage("Referral\nRegion\tcardiff-vale\nCymraeg", wide_at_phone=True,
                    options="Cardiff and Vale\nnorth-wales")
    with pytest.raises(AssertionError) as failed:
        words.reads_as_words(page, "referral")
    said = str(failed.value)
    assert said.startswith("referral (http://llais.test/referrals/r1, en)")
    assert "a code 'cardiff-vale' in the page “Region cardiff-vale”" in said
    assert "a code 'north-wales' in the choices of “Region”" in said
    assert "wider than the screen '420px on a 375px screen' in table.govuk-table" in said
    assert page.sizes == [{"width": 375, "height": 800}, {"width": 1280, "height": 800}], "checked at 375 and back"


def test_reads_as_words_passes_an_ordinary_page_and_can_keep_a_list_instead(tmp_path, monkeypatch):
    words.reads_as_words(FakePage(ORDINARY.replace("Cardiff and Vale", "Cardiff and Vale\nCymraeg")), "referral")
    report = tmp_path / "words.jsonl"
    monkeypatch.setenv(words.REPORT, str(report))
    words.reads_as_words(FakePage("Received 2026-12-06"), "referral")
    assert '"text": "2026-12-06"' in report.read_text()
