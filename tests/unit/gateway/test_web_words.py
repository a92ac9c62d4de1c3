"""The web forms' words: every code a service uses has a label, every choice a form offers and every code the API's
schemas accept is a contract's vocabulary, and every text has its Welsh."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_wtf import FlaskForm
from marshmallow import Schema, fields, validate
from wtforms.fields.core import UnboundField

from services.referral import domain as referral_domain
from shared.contracts import casework, complaints, referral, retention, scheduling
from services.gateway import domain as gateway_domain, schemas
from services.gateway.web import cases, child_record, complaints as complaint_pages, forms, refer, staff

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
    assert set(child_record.OUTCOMES) == set(casework.ISSUE_OUTCOMES)
    assert set(child_record.ENDINGS) == set(casework.CASE_OUTCOMES)
    assert set(child_record.CONTRIBUTIONS) == set(casework.CONTRIBUTIONS)
    assert set(child_record.REASONS) == set(casework.DISCLOSURE_REASONS)
    assert set(child_record.STATUSES) == set(casework.CASE_STATUSES)
    assert {code for code, _ in complaint_pages.OUTCOMES} == set(complaints.ANSWERS)
    assert set(complaint_pages.STATUSES) == set(complaints.STATUSES)
    assert {code for code, _ in staff.STATUSES} == set(referral.STATUSES)
    assert {code for code, _ in staff.DEADLINE_STATES} == set(scheduling.DEADLINE_VIEWS)
    shown = {"basis": (*referral_domain.ELIGIBILITY, *referral_domain.ACTIVE_OFFER_BASES),
             "method": referral.CONTACT_METHODS, "result": referral.CONTACT_RESULTS, "outcome": referral.OUTCOMES,
             "close_reason": referral.CLOSE_REASONS, "language": referral.LANGUAGES,
             "support_type": referral.SUPPORT_TYPES, "topic": scheduling.MEETING_TOPICS,
             "left_with_child": scheduling.LEFT_WITH_CHILD, "reason_not_held_code": scheduling.NOT_HELD_REASONS,
             "decline_reason_code": referral.NOT_WANTED_REASONS, "meeting_status": scheduling.MEETING_STATUSES,
             "referral_status": referral.STATUSES, "deadline": scheduling.DEADLINES}
    for kind, vocabulary in shown.items():
        for code in vocabulary:
            assert forms.word(kind, code) not in ("", code), (kind, code)


OFFERED = {
    (forms.ContactAttemptForm, "method"): referral.CONTACT_METHODS,
    (forms.ContactAttemptForm, "result"): referral.CONTACT_RESULTS,
    (forms.MeetingForm, "language"): referral.LANGUAGES,
    (forms.MeetingForm, "venue_type"): scheduling.VENUE_TYPES,
    (forms.RescheduleForm, "venue_type"): scheduling.VENUE_TYPES,
    (forms.RecordMeetingForm, "outcome"): referral.OUTCOMES,
    (forms.RecordMeetingForm, "reason_not_held_code"): scheduling.NOT_HELD_REASONS,
    (forms.RecordMeetingForm, "decline_reason_code"): referral.NOT_WANTED_REASONS,
    (forms.RecordMeetingForm, "topics_covered"): scheduling.MEETING_TOPICS,
    (forms.RecordMeetingForm, "left_with_child"): scheduling.LEFT_WITH_CHILD,
    (forms.RecordMeetingForm, "other_support_type"): referral.OTHER_SUPPORT_TYPES,
    (forms.CloseForm, "reason"): referral.CLOSE_REASONS_BY_HAND,
    (forms.LegalHoldForm, "reason_code"): retention.HOLD_REASONS,
    (refer.ChildForm, "preferred_language"): referral.LANGUAGES,
    (refer.AboutReferralForm, "kind"): referral.KINDS,
    (refer.AboutReferralForm, "basis"): tuple(code for code in referral.ELIGIBILITY
                                              if code != referral.TO_BE_CONFIRMED),
    (refer.ReferrerForm, "preferred_language"): referral.LANGUAGES,
    (refer.ReferrerForm, "organisation_type"): referral.ORGANISATION_TYPES,
    **{(form, question): answers for form in (refer.EqualityForm, refer.AboutYouMoreForm)
       for question, answers in referral.EQUALITY.items()},
    (refer.AboutYouForm, "preferred_language"): referral.LANGUAGES,
    (cases.IssueForm, "theme"): casework.THEMES,
    (cases.ConcludeIssueForm, "outcome"): casework.ISSUE_OUTCOMES,
    (cases.ActivityForm, "kind"): casework.ACTIVITIES,
    (cases.ActivityForm, "contribution"): casework.CONTRIBUTIONS,
    (cases.SignpostForm, "to"): casework.SIGNPOSTS,
    (cases.DecideChangeForm, "result"): casework.CHANGE_RESULTS,
    (cases.DisclosureForm, "reason"): casework.DISCLOSURE_REASONS,
    (cases.CloseCaseForm, "outcome"): casework.CASE_OUTCOMES,
    (complaint_pages.ComplaintForm, "kind"): complaints.KINDS,
    (complaint_pages.ComplaintForm, "made_by"): complaints.FROM,
    (complaint_pages.ComplaintForm, "language"): referral.LANGUAGES,
    (complaint_pages.YoungPersonsComplaintForm, "kind"): complaints.KINDS,
    (complaint_pages.YoungPersonsComplaintForm, "language"): referral.LANGUAGES,
    (complaint_pages.AnswerForm, "outcome"): complaints.ANSWERS,
    (forms.PersonForm, "role"): gateway_domain.ROLES,
    (forms.PersonForm, "languages"): gateway_domain.STAFF_LANGUAGES,
}
"""Each form's choice of codes, and the contract's vocabulary (or the part of it) the form offers whole."""
OFFERED_IN_PART = {(refer.WhereYouLiveForm, "situation"): referral.ELIGIBILITY,
                   (forms.RotateKeyForm, "overlap"): [str(hours) for hours in range(
                       int(gateway_domain.LONGEST_OVERLAP.total_seconds() // 3600) + 1)]}
"""The choices that offer only some of a vocabulary, by design (a young person's own words for a few; a few of the
overlaps a rotated key may have)."""
ACCEPTED = {
    (schemas.ReferrerSchema, "role"): referral.REFERRER_ROLES,
    (schemas.ReferrerSchema, "preferred_language"): referral.LANGUAGES,
    (schemas.ReferrerSchema, "organisation_type"): referral.ORGANISATION_TYPES,
    **{(schemas.EqualitySchema, question): answers for question, answers in referral.EQUALITY.items()},
    (schemas.VenueSchema, "type"): scheduling.VENUE_TYPES,
    (schemas.ReferralRequestSchema, "kind"): referral.KINDS,
    (schemas.ReferralRequestSchema, "basis"): referral.ELIGIBILITY,
    (schemas.MeetingSummarySchema, "status"): ("none", *(status for status in scheduling.MEETING_STATUSES
                                                         if status != "cancelled")),
    (schemas.ReferralViewSchema, "status"): referral.STATUSES,
    (schemas.ReferralQuerySchema, "status"): referral.STATUSES,
    (schemas.ProblemSchema, "status_now"): referral.STATUSES,
    (schemas.ContactAttemptSchema, "method"): referral.CONTACT_METHODS,
    (schemas.ContactAttemptSchema, "result"): referral.CONTACT_RESULTS,
    (schemas.CloseSchema, "reason"): referral.CLOSE_REASONS_BY_HAND,
    (schemas.OptOutSchema, "basis"): referral.ACTIVE_OFFER_BASES,
    (schemas.OptOutSchema, "reason_code"): referral.NOT_WANTED_REASONS,
    (schemas.RecordSchema, "outcome"): referral.OUTCOMES,
    (schemas.RecordSchema, "reason_not_held_code"): scheduling.NOT_HELD_REASONS,
    (schemas.RecordSchema, "decline_reason_code"): referral.NOT_WANTED_REASONS,
    (schemas.RecordSchema, "topics_covered"): scheduling.MEETING_TOPICS,
    (schemas.RecordSchema, "left_with_child"): scheduling.LEFT_WITH_CHILD,
    (schemas.RecordSchema, "other_support_type"): referral.OTHER_SUPPORT_TYPES,
    (schemas.ReferralViewSchema, "support_type"): referral.SUPPORT_TYPES,
    (schemas.StaffReferralViewSchema, "decline_reason_code"): referral.NOT_WANTED_REASONS,
    (schemas.MeetingViewSchema, "status"): scheduling.MEETING_STATUSES,
    (schemas.DeadlineView, "deadline"): scheduling.DEADLINES,
    (schemas.DeadlineView, "state"): scheduling.ATTENTION_STATES,
    (schemas.IssueSchema, "theme"): casework.THEMES,
    (schemas.ConcludeIssueSchema, "outcome"): casework.ISSUE_OUTCOMES,
    (schemas.ActivitySchema, "kind"): casework.ACTIVITIES,
    (schemas.ActivitySchema, "contribution"): casework.CONTRIBUTIONS,
    (schemas.SignpostSchema, "to"): casework.SIGNPOSTS,
    (schemas.AdvocateChangeDecisionSchema, "result"): casework.CHANGE_RESULTS,
    (schemas.DisclosureSchema, "reason"): casework.DISCLOSURE_REASONS,
    (schemas.CloseCaseSchema, "outcome"): casework.CASE_OUTCOMES,
    (schemas.CaseViewSchema, "status"): casework.CASE_STATUSES,
    (schemas.CaseSummaryView, "status"): casework.CASE_STATUSES,
    (schemas.CaseQuerySchema, "status"): casework.CASE_STATUSES,
    (schemas.ComplaintSchema, "kind"): complaints.KINDS,
    (schemas.ComplaintSchema, "made_by"): complaints.FROM,
    (schemas.ComplaintSchema, "language"): referral.LANGUAGES,
    (schemas.ComplaintAnswerSchema, "outcome"): complaints.ANSWERS,
    (schemas.ComplaintRecordSchema, "kind"): complaints.KINDS,
    (schemas.ComplaintRecordSchema, "made_by"): complaints.FROM,
    (schemas.ComplaintSummaryView, "kind"): complaints.KINDS,
    (schemas.ComplaintSummaryView, "made_by"): complaints.FROM,
    (schemas.ComplaintQuerySchema, "status"): complaints.STATUSES,
    (schemas.ComplaintQuerySchema, "kind"): complaints.KINDS,
    (schemas.ChildRecordQuerySchema, "language"): referral.LANGUAGES,
}
"""Each field of the API's schemas that accepts one of a list of codes, and the contract's vocabulary it is."""


def _choices_of_forms() -> dict[tuple[type, str], list]:
    """Every choice list written into a form of the web pages (those filled in on the page, such as councils and
    advocates, start empty), but yes or no."""
    found = {}
    for module in (forms, refer, cases, complaint_pages, staff):
        for form in vars(module).values():
            if not (isinstance(form, type) and issubclass(form, FlaskForm) and form.__module__ == module.__name__):
                continue
            for name in dir(form):
                field = getattr(form, name)
                choices = field.kwargs.get("choices") if isinstance(field, UnboundField) else None
                if choices and choices != forms.YES_NO:
                    found[(form, name)] = choices
    return found


def _one_ofs_of_schemas() -> dict[tuple[type, str], validate.OneOf]:
    """Every OneOf of the API's schemas, under the schema that declares its field."""
    found = {}
    for schema in vars(schemas).values():
        if not (isinstance(schema, type) and issubclass(schema, Schema) and schema.__module__ == schemas.__name__):
            continue
        for name, field in schema._declared_fields.items():
            owner = next(base for base in reversed(schema.__mro__)
                         if getattr(base, "_declared_fields", {}).get(name) is field)
            inner = field.inner.validators if isinstance(field, fields.List) else []
            for validator in [*field.validators, *inner]:
                if isinstance(validator, validate.OneOf):
                    found[(owner, name)] = validator
    return found


def test_every_choice_a_form_offers_is_its_contracts_vocabulary():
    written = _choices_of_forms()
    assert set(written) == set(OFFERED) | set(OFFERED_IN_PART), "a choice list not checked against its contract"
    for where, vocabulary in OFFERED.items():
        codes = [code for code, _ in written[where]]
        assert len(codes) == len(set(codes)) and set(codes) == set(vocabulary), where
    for where, vocabulary in OFFERED_IN_PART.items():
        codes = [code for code, _ in written[where]]
        assert len(codes) == len(set(codes)) and set(codes) < set(vocabulary), where


def test_every_code_the_api_accepts_is_its_contracts_vocabulary():
    one_ofs = _one_ofs_of_schemas()
    assert set(one_ofs) == set(ACCEPTED), "a schema's codes not checked against their contract"
    for where, vocabulary in ACCEPTED.items():
        assert tuple(one_ofs[where].choices) == vocabulary, where
    assert schemas.DeadlineQuerySchema().fields["state"].validators[0].regex.pattern == \
        "^(at_risk|missed)(,(at_risk|missed))?$"


def test_labels_that_do_not_fit_their_vocabulary_fail_on_import():
    assert forms.labelled(("a", "b"), {"b": "B", "a": "A"}) == [("b", "B"), ("a", "A")], "in the page's order"
    assert forms.labelled(("a", "b"), {"b": "B"}, every=False) == [("b", "B")]
    with pytest.raises(ValueError, match="without a label"):
        forms.labelled(("a", "b"), {"a": "A"})
    with pytest.raises(ValueError, match="not in it"):
        forms.labelled(("a",), {"a": "A", "c": "C"}, every=False)


def test_every_text_of_the_pages_has_its_welsh_with_the_same_placeholders():
    catalogue = read_po((WEB / "translations" / "cy" / "LC_MESSAGES" / "messages.po").open("rb"), locale="cy")
    translated = {m.id: m.string for m in catalogue if m.id}
    extracted = {message for _, _, message, _, _ in extract_from_dir(
        str(WEB), method_map=[("**/templates/**.html", "jinja2"), ("**.py", "python")],
        keywords={"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)})}
    missing = sorted(m for m in extracted if (isinstance(m, str) or len(m) == 2) and not translated.get(m))
    assert not missing, f"run `make translations` and translate: {missing[:10]}"
    for english, welsh in translated.items():
        if isinstance(english, tuple):  # a plural: each of Welsh's forms says what the English plural does
            assert len(welsh) == catalogue.num_plurals and all(welsh), english
            for form in welsh:
                assert set(PLACEHOLDER.findall(english[1])) == set(PLACEHOLDER.findall(form)), english
            continue
        assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(welsh)), english
        assert welsh != english or english in ("Llais",), f"not translated: {english!r}"
