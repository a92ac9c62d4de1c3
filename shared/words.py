"""The words for every code the platform holds, in English and Welsh: a close reason, an outcome, a clock, a
council, a region... so that no page, email or file shows a person `duplicate`, `cardiff-vale` or `CARDIFF`.

Pure (no Flask): the gateway's pages and forms show these words in the page's language (web/forms.py's `worded`
and `word`, reports.py's `label`), notify's emails in the reader's (services/notify/templates.py). A code with no
words is a page or an email out of step with the contracts: `of` refuses it with `UnknownCode`, and
tests/unit/shared/test_words.py fails on any code of any vocabulary in shared/contracts, or any council or region,
without words in both languages.
"""

from __future__ import annotations

from functools import cache

from shared.councils import CouncilRegister

LANGUAGES = ("en", "cy")


class UnknownCode(LookupError):
    """A code of a kind with no words here (or a kind that is not here): a page or an email out of step with the
    contracts, and a mistake to fix in this file, never a code to show a person."""


WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "language": {
        "en": ("English", "Saesneg"),
        "cy": ("Welsh", "Cymraeg"),
    },
    "contact_method": {
        "phone": ("Phone call", "Galwad ffôn"),
        "text": ("Text message", "Neges destun"),
        "email": ("Email", "E-bost"),
        "visit": ("Visit", "Ymweliad"),
        "letter": ("Letter", "Llythyr"),
    },
    "contact_result": {
        "reached": ("Spoke to the child", "Wedi siarad â'r plentyn"),
        "no_answer": ("No answer", "Dim ateb"),
        "message_left": ("Left a message", "Wedi gadael neges"),
        "wrong_details": ("The contact details are wrong", "Mae'r manylion cyswllt yn anghywir"),
        "declined_meeting": ("The child does not want to meet", "Nid yw'r plentyn eisiau cyfarfod"),
    },
    "outcome": {
        "take_up": ("Take-up: the child wants an advocate for an issue now",
                    "Derbyn y cynnig: mae'r plentyn eisiau eiriolwr ar gyfer mater nawr"),
        "declined": ("Declined: no need for an advocate now", "Gwrthod: dim angen eiriolwr nawr"),
        "reflecting": ("Reflecting: the child wants time to think", "Ystyried: mae'r plentyn eisiau amser i feddwl"),
        "other_support": ("Other support: the child prefers someone outside the service",
                          "Cymorth arall: mae'n well gan y plentyn rywun y tu allan i'r gwasanaeth"),
    },
    "close_reason": {
        "unable_to_contact": ("We could not contact the child", "Doedd dim modd i ni gysylltu â'r plentyn"),
        "declined_meeting": ("The child declined the meeting", "Gwrthododd y plentyn y cyfarfod"),
        "withdrawn": ("The referral was withdrawn", "Cafodd yr atgyfeiriad ei dynnu'n ôl"),
        "duplicate": ("It duplicates another referral", "Mae'n dyblygu atgyfeiriad arall"),
        "completed": ("The Active Offer was completed", "Cwblhawyd y Cynnig Rhagweithiol"),
    },
    "organisation_type": {
        "council": ("A council", "Cyngor"),
        "health": ("Health", "Iechyd"),
        "education": ("Education (a school or college)", "Addysg (ysgol neu goleg)"),
        "police": ("Police", "Heddlu"),
        "third_sector": ("Third-sector organisation", "Sefydliad trydydd sector"),
        "other": ("Another organisation", "Sefydliad arall"),
    },
    "hold_reason": {
        "court_case": ("A court case", "Achos llys"),
        "complaint_open": ("A complaint is open", "Mae cwyn ar agor"),
        "police_investigation": ("A police investigation", "Ymchwiliad gan yr heddlu"),
        "other": ("Another reason", "Rheswm arall"),
    },
    "retention_kind": {
        "child_record": ("A child's advocacy records", "Cofnodion eiriolaeth plentyn"),
        "not_proceeded": ("A referral that did not go ahead", "Atgyfeiriad nad aeth yn ei flaen"),
    },
    "venue_type": {
        "school": ("School", "Ysgol"),
        "home": ("The child's home", "Cartref y plentyn"),
        "placement": ("The child's placement", "Lleoliad y plentyn"),
        "advocacy_office": ("The advocacy office", "Swyddfa'r gwasanaeth eiriolaeth"),
        "community": ("A community venue", "Lleoliad cymunedol"),
        "other": ("Somewhere else", "Rhywle arall"),
    },
    "not_wanted_reason": {
        "has_an_advocate": ("Already has an advocate", "Mae ganddo eiriolwr yn barod"),
        "support_elsewhere": ("Has support elsewhere", "Mae ganddo gymorth yn rhywle arall"),
        "speaks_for_themselves": ("Wants to speak for themselves", "Eisiau siarad drosto'i hun"),
        "not_the_right_time": ("Not the right time", "Nid dyma'r amser iawn"),
        "did_not_say": ("Did not want to say", "Doedd dim eisiau dweud"),
        "other": ("Another reason", "Rheswm arall"),
    },
    "transition_kind": {
        "looked_after_review": ("A looked-after review", "Adolygiad plentyn sy'n derbyn gofal"),
        "placement_move": ("A placement move", "Symud lleoliad"),
        "leaving_care_planning": ("Planning for leaving care", "Cynllunio ar gyfer gadael gofal"),
    },
    "not_offered_again": {
        "open_referral": ("A referral is still open", "Mae atgyfeiriad yn dal ar agor"),
        "took_up": ("Took up advocacy", "Wedi derbyn eiriolaeth"),
        "other_ending": ("The last Active Offer ended another way",
                         "Daeth y Cynnig Rhagweithiol diwethaf i ben mewn ffordd arall"),
    },
    "renewed_offer_result": {
        "referred_again": ("Referred again", "Wedi'i atgyfeirio eto"),
        "opted_out_again": ("Opted out again", "Wedi optio allan eto"),
        "could_not_be_offered": ("Could not be offered", "Nid oedd modd ei gynnig"),
    },
    "not_held_reason": {
        "child_unavailable": ("The child was not available", "Doedd y plentyn ddim ar gael"),
        "declined_on_the_day": ("The child declined on the day", "Gwrthododd y plentyn ar y diwrnod"),
        "placement_moved": ("The child's placement moved", "Symudodd lleoliad y plentyn"),
        "advocate_unavailable": ("The advocate was not available", "Doedd yr eiriolwr ddim ar gael"),
        "venue_problem": ("A problem with the venue", "Problem gyda'r lleoliad cyfarfod"),
        "other": ("Another reason", "Rheswm arall"),
    },
    "meeting_topic": {
        "advocate_role": ("The advocate's role", "Rôl yr eiriolwr"),
        "what_advocacy_can_do": ("What advocacy can and cannot do",
                                 "Beth y gall eiriolaeth ei wneud a beth na all ei wneud"),
        "independence": ("The service's independence", "Annibyniaeth y gwasanaeth"),
        "confidentiality": ("Confidentiality and its limits", "Cyfrinachedd a'i derfynau"),
        "rights": ("The child's rights (UNCRC article 12)", "Hawliau'r plentyn (erthygl 12 CCUHP)"),
        "how_to_complain": ("How to complain", "Sut i gwyno"),
        "review_and_who_attends": ("The review or conference and who attends",
                                   "Yr adolygiad neu'r gynhadledd a phwy sy'n mynd iddi"),
        "meic_and_commissioner": ("Meic and the Children's Commissioner for Wales", "Meic a Chomisiynydd Plant Cymru"),
        "other_support": ("Other support: formal, informal and peer",
                          "Cymorth arall: ffurfiol, anffurfiol a chan gymheiriaid"),
    },
    "left_with_child": {
        "leaflet": ("The service's leaflet", "Taflen y gwasanaeth"),
        "contact_card": ("A card with the service's contact details", "Cerdyn gyda manylion cyswllt y gwasanaeth"),
        "easy_read": ("An easy-read guide", "Canllaw hawdd ei ddarllen"),
        "welsh_materials": ("Materials in Welsh", "Deunyddiau yn Gymraeg"),
        "nothing": ("Nothing", "Dim byd"),
    },
    "support_type": {
        "issue_based_advocacy": ("Issue-based advocacy from the service",
                                 "Eiriolaeth ar sail materion gan y gwasanaeth"),
        "formal": ("Formal support from another service", "Cymorth ffurfiol gan wasanaeth arall"),
        "informal": ("Informal support from people they know", "Cymorth anffurfiol gan bobl maen nhw'n eu hadnabod"),
        "peer": ("Peer support", "Cymorth gan gymheiriaid"),
        "none": ("None for now: the service's contact details were given",
                 "Dim am y tro: rhoddwyd manylion cyswllt y gwasanaeth"),
    },
    "gender": {
        "girl": ("A girl", "Merch"),
        "boy": ("A boy", "Bachgen"),
        "non_binary": ("Non-binary", "Anneuaidd"),
        "another_way": ("In another way", "Mewn ffordd arall"),
        "declined": ("Chose not to say", "Wedi dewis peidio â dweud"),
    },
    "ethnic_group": {
        "asian": ("Asian, Asian British or Asian Welsh", "Asiaidd, Asiaidd Prydeinig neu Asiaidd Cymreig"),
        "black": ("Black, Black British, Black Welsh, Caribbean or African",
                  "Du, Du Prydeinig, Du Cymreig, Caribïaidd neu Affricanaidd"),
        "mixed": ("Mixed or multiple ethnic groups", "Grwpiau ethnig cymysg neu luosog"),
        "white": ("White", "Gwyn"),
        "other": ("Another ethnic group", "Grŵp ethnig arall"),
        "declined": ("Chose not to say", "Wedi dewis peidio â dweud"),
    },
    "disability": {
        "yes": ("Disabled", "Anabl"),
        "no": ("Not disabled", "Ddim yn anabl"),
        "declined": ("Chose not to say", "Wedi dewis peidio â dweud"),
    },
    "basis": {
        "looked_after": ("Looked after: the child has become looked after",
                         "Yn derbyn gofal: mae'r plentyn wedi dechrau derbyn gofal"),
        "child_protection": ("Child protection: enquiries leading to an initial conference",
                             "Amddiffyn plant: ymholiadau sy'n arwain at gynhadledd gychwynnol"),
        "care_and_support": ("Care and support: being assessed, no safeguarding intervention",
                             "Gofal a chymorth: yn cael ei asesu, dim ymyrraeth diogelu"),
    },
    "eligibility": {
        "looked_after": ("Looked after", "Yn derbyn gofal"),
        "care_leaver": ("Care leaver", "Rhywun sy'n gadael gofal"),
        "child_protection": ("Child protection", "Amddiffyn plant"),
        "care_and_support": ("Care and support", "Gofal a chymorth"),
        "childrens_home": ("Lives in a children's home", "Yn byw mewn cartref plant"),
        "young_carer": ("Young carer", "Gofalwr ifanc"),
        "complaint": ("Making a complaint or representation", "Yn gwneud cwyn neu sylwadau"),
        "missing_from_care": ("Missing from care", "Ar goll o ofal"),
        "send": ("Special educational needs", "Anghenion addysgol arbennig"),
        "homeless_16_17": ("Homeless, aged 16 or 17", "Yn ddigartref, yn 16 neu 17 oed"),
        "custody": ("In custody", "Yn y ddalfa"),
        "mental_health_detention": ("Detained under the Mental Health Act", "Wedi'i gadw o dan y Ddeddf Iechyd Meddwl"),
        "lacks_capacity": ("Aged 16 or 17 and lacking capacity", "Yn 16 neu 17 oed a heb alluedd"),
        "care_review": ("Looked after, with care being reviewed", "Yn derbyn gofal, gyda'r gofal yn cael ei adolygu"),
        "to_be_confirmed": ("To be confirmed", "I'w gadarnhau"),
    },
    "staff_role": {
        "advocate": ("Advocate", "Eiriolwr"),
        "manager": ("Manager", "Rheolwr"),
        "referrer": ("Council referrer", "Atgyfeiriwr y cyngor"),
        "commissioner": ("Commissioner", "Comisiynydd"),
        "admin": ("Administrator", "Gweinyddwr"),
    },
    "message_channel": {
        "answer_phone": ("Answer-phone message", "Neges ar y peiriant ateb"),
        "phone": ("Phone call", "Galwad ffôn"),
        "text": ("Text message", "Neges destun"),
        "email": ("Email", "E-bost"),
        "web": ("Web message", "Neges ar y we"),
        "walk_in": ("Walked in", "Daeth i mewn"),
    },
    "message_from": {
        "child": ("The child or young person", "Y plentyn neu’r person ifanc"),
        "carer": ("A carer", "Gofalwr"),
        "professional": ("A professional", "Gweithiwr proffesiynol"),
        "other": ("Someone else", "Rhywun arall"),
    },
    "message_clock_state": {
        "pending": ("Due", "Yn ddyledus"),
        "at_risk": ("At risk", "Mewn perygl"),
        "missed": ("Missed", "Wedi'i fethu"),
        "met": ("Answered in time", "Atebwyd mewn pryd"),
    },
    "source": {
        "social_worker": ("Social worker", "Gweithiwr cymdeithasol"),
        "iro": ("Independent reviewing officer", "Swyddog adolygu annibynnol"),
        "carer": ("Carer", "Gofalwr"),
        "professional": ("Another professional", "Gweithiwr proffesiynol arall"),
        "parent": ("Parent", "Rhiant"),
        "self": ("The child themselves", "Y plentyn ei hun"),
        "other": ("Someone else", "Rhywun arall"),
        "active_offer": ("An Active Offer taken up", "Cynnig Rhagweithiol a dderbyniwyd"),
    },
    "deadline": {
        "acknowledge_by": ("Acknowledgement", "Cydnabod"),
        "allocate_by": ("Allocation", "Dyrannu"),
        "first_contact_by": ("First contact", "Cyswllt cyntaf"),
        "meeting_by": ("Active Offer meeting", "Cyfarfod y Cynnig Rhagweithiol"),
        "respond_by": ("Answer at stage 1", "Ateb yng ngham 1"),
        "stage_2_respond_by": ("Answer at stage 2", "Ateb yng ngham 2"),
    },
    "complaint_stage": {
        "1": ("Stage 1", "Cam 1"),
        "2": ("Stage 2", "Cam 2"),
    },
    "referral_kind": {
        "active_offer": ("Active Offer", "Cynnig Rhagweithiol"),
        "issue_based": ("Issue-based", "Ar sail mater"),
    },
    "theme": {
        "placement": ("Where I live", "Lle rydw i'n byw"),
        "contact": ("Seeing family and friends", "Gweld teulu a ffrindiau"),
        "education": ("School or college", "Ysgol neu goleg"),
        "health": ("Health", "Iechyd"),
        "leaving_care": ("Leaving care", "Gadael gofal"),
        "complaint_about_council": ("A complaint about the council", "Cwyn am y cyngor"),
        "safety": ("Feeling safe", "Teimlo'n ddiogel"),
        "identity": ("Identity and culture", "Hunaniaeth a diwylliant"),
        "money": ("Money", "Arian"),
        "other": ("Something else", "Rhywbeth arall"),
    },
    "issue_outcome": {
        "resolved": ("Resolved", "Wedi'i ddatrys"),
        "partly_resolved": ("Partly resolved", "Wedi'i ddatrys yn rhannol"),
        "not_resolved": ("Not resolved", "Heb ei ddatrys"),
        "withdrawn": ("The child withdrew it", "Tynnodd y plentyn y mater yn ôl"),
    },
    "activity": {
        "meeting": ("Meeting", "Cyfarfod"),
        "representation": ("Representation made", "Sylwadau wedi'u cyflwyno"),
        "call": ("Call", "Galwad"),
        "visit": ("Visit", "Ymweliad"),
        "letter": ("Letter or email", "Llythyr neu e-bost"),
        "other": ("Something else", "Rhywbeth arall"),
    },
    "contribution": {
        "own": ("On their own", "Ar ei ben ei hun"),
        "through_advocate": ("Through the advocate", "Drwy'r eiriolwr"),
        "jointly": ("Jointly with the advocate", "Ar y cyd â'r eiriolwr"),
    },
    "signpost": {
        "legal": ("Legal advice", "Cyngor cyfreithiol"),
        "specialist": ("Specialist advice", "Cyngor arbenigol"),
        "health": ("Health", "Iechyd"),
        "education": ("Education", "Addysg"),
        "housing": ("Housing", "Tai"),
        "other": ("Somewhere else", "Rhywle arall"),
    },
    "disclosure_reason": {
        "significant_harm": ("To prevent significant harm", "I atal niwed sylweddol"),
        "court_order": ("A court order", "Gorchymyn llys"),
    },
    "case_outcome": {
        "issues_resolved": ("The child's issues were resolved", "Cafodd materion y plentyn eu datrys"),
        "partly_resolved": ("Partly resolved", "Wedi'i ddatrys yn rhannol"),
        "child_withdrew": ("The child withdrew", "Tynnodd y plentyn yn ôl"),
        "moved_away": ("The child moved away", "Symudodd y plentyn i ffwrdd"),
        "other": ("Something else", "Rhywbeth arall"),
    },
    "change_result": {
        "granted": ("Granted: move the case", "Caniatawyd: symud yr achos"),
        "declined": ("Declined", "Gwrthodwyd"),
    },
    "complaint_kind": {
        "complaint": ("A complaint: something went wrong", "Cwyn: aeth rhywbeth o'i le"),
        "representation": ("A comment or suggestion about how we work", "Sylw neu awgrym am sut rydym yn gweithio"),
        "compliment": ("A compliment: something went well", "Canmoliaeth: aeth rhywbeth yn dda"),
    },
    "complaint_kind_to_child": {
        "complaint": ("Something went wrong", "Aeth rhywbeth o'i le"),
        "representation": ("An idea for how we could do better", "Syniad am sut gallen ni wneud yn well"),
        "compliment": ("Something went well", "Aeth rhywbeth yn dda"),
    },
    "complaint_from": {
        "child": ("A child or young person", "Plentyn neu berson ifanc"),
        "parent": ("A parent or carer", "Rhiant neu ofalwr"),
        "professional": ("A professional", "Gweithiwr proffesiynol"),
        "other": ("Someone else", "Rhywun arall"),
    },
    "complaint_outcome": {
        "upheld": ("Upheld", "Cadarnhawyd"),
        "partly_upheld": ("Partly upheld", "Cadarnhawyd yn rhannol"),
        "not_upheld": ("Not upheld", "Ni chadarnhawyd"),
        "withdrawn": ("Withdrawn", "Wedi'i thynnu'n ôl"),
    },
    "complaint_status": {
        "received": ("Received", "Wedi dod i law"),
        "acknowledged": ("Acknowledged", "Wedi'i gydnabod"),
        "responded": ("Answered", "Wedi'i ateb"),
        "escalated": ("At stage 2", "Yng ngham 2"),
        "closed": ("Closed", "Wedi cau"),
        "recorded": ("Recorded", "Wedi'i gofnodi"),
    },
    "referral_status": {
        "received": ("Received", "Wedi dod i law"),
        "allocated": ("Allocated", "Wedi'i ddyrannu"),
        "contacting": ("Contacting", "Wrthi'n cysylltu"),
        "meeting_arranged": ("Meeting arranged", "Cyfarfod wedi'i drefnu"),
        "closed": ("Closed", "Wedi cau"),
    },
    "deadline_view": {
        "at_risk": ("At risk", "Mewn perygl"),
        "missed": ("Missed", "Wedi'i fethu"),
        "due_soon": ("Due in the next 7 days", "I'w gwblhau yn ystod y 7 diwrnod nesaf"),
    },
    "clock_state": {
        "pending": ("Due", "Yn ddyledus"),
        "due_soon": ("Due soon", "I'w gwblhau cyn bo hir"),
        "at_risk": ("At risk", "Mewn perygl"),
        "missed": ("Missed", "Wedi'i fethu"),
        "met": ("Met", "Wedi'i gyflawni"),
        "stopped": ("Stopped", "Wedi'i atal"),
    },
    "nation": {
        "wales": ("Wales", "Cymru"),
        "england": ("England", "Lloegr"),
    },
    "case_status": {
        "open": ("Open", "Ar agor"),
        "closed": ("Closed", "Wedi cau"),
    },
    "meeting_status": {
        "arranged": ("Arranged", "Wedi'i drefnu"),
        "held": ("Held", "Cynhaliwyd"),
        "not_held": ("Not held", "Heb ei gynnal"),
        "cancelled": ("Cancelled", "Wedi'i ganslo"),
    },
    "meeting_action": {
        "arrange_meeting": ("Arrange the Active Offer meeting", "Trefnu cyfarfod y Cynnig Rhagweithiol"),
        "reschedule_meeting": ("Reschedule the meeting", "Aildrefnu'r cyfarfod"),
        "cancel_meeting": ("Cancel the meeting", "Canslo'r cyfarfod"),
        "record_meeting": ("Record the meeting", "Cofnodi'r cyfarfod"),
    },
    "consent_flag": {
        "child_informed": ("The child has been told about the referral",
                           "Mae'r plentyn wedi cael gwybod am yr atgyfeiriad"),
        "child_agrees": ("The child agrees to the referral", "Mae'r plentyn yn cytuno i'r atgyfeiriad"),
        "share_arrangements_with_referrer": ("Arrangements may be shared with the referrer",
                                             "Gellir rhannu'r trefniadau gyda'r atgyfeiriwr"),
        "share_outcome_with_referrer": ("The outcome may be shared with the referrer",
                                        "Gellir rhannu'r canlyniad gyda'r atgyfeiriwr"),
    },
    "offered_again_after": {
        "opted_out": ("Opted out", "Wedi optio allan"),
        "declined": ("Declined", "Wedi gwrthod"),
        "reflecting": ("Reflecting", "Yn ystyried"),
    },
    # the words a page spoken to the child says a code in (their own record, web/child_record.py)
    "issue_outcome_to_child": {
        "resolved": ("sorted out", "wedi'i ddatrys"),
        "partly_resolved": ("partly sorted out", "wedi'i ddatrys yn rhannol"),
        "not_resolved": ("not sorted out", "heb ei ddatrys"),
        "withdrawn": ("you stopped it", "fe wnest ti ei stopio"),
    },
    "case_outcome_to_child": {
        "issues_resolved": ("what you wanted help with was sorted out",
                            "cafodd yr hyn roeddet ti eisiau help ag e ei ddatrys"),
        "partly_resolved": ("some of what you wanted help with was sorted out",
                            "cafodd rhywfaint o'r hyn roeddet ti eisiau help ag e ei ddatrys"),
        "child_withdrew": ("you decided to stop", "penderfynaist ti stopio"),
        "moved_away": ("you moved away", "symudaist ti i ffwrdd"),
        "other": ("it ended for another reason", "daeth i ben am reswm arall"),
    },
    "contribution_to_child": {
        "own": ("on your own", "ar dy ben dy hun"),
        "through_advocate": ("through your advocate", "drwy dy eiriolwr"),
        "jointly": ("together with your advocate", "gyda dy eiriolwr"),
    },
    "disclosure_reason_to_child": {
        "significant_harm": ("a worry that someone could be seriously harmed",
                             "pryder y gallai rhywun gael niwed difrifol"),
        "court_order": ("a court order", "gorchymyn llys"),
    },
    # the words an email says a code in, in the middle of its sentence (services/notify/templates.py)
    "outcome_told": {
        "take_up": ("they would like an advocate now", "hoffen nhw gael eiriolwr nawr"),
        "declined": ("they do not want an advocate at the moment", "nid ydyn nhw eisiau eiriolwr ar hyn o bryd"),
        "reflecting": ("they would like time to think", "hoffen nhw amser i feddwl"),
        "other_support": ("they prefer support from someone they know",
                          "mae'n well ganddyn nhw gefnogaeth gan rywun maen nhw'n ei adnabod"),
    },
    "support_type_told": {
        "issue_based_advocacy": ("issue-based advocacy from our service",
                                 "eiriolaeth ar sail materion gan ein gwasanaeth"),
        "formal": ("formal support from another service", "cymorth ffurfiol gan wasanaeth arall"),
        "informal": ("informal support from people they know", "cymorth anffurfiol gan bobl maen nhw'n eu hadnabod"),
        "peer": ("peer support", "cymorth gan gymheiriaid"),
        "none": ("none for now; they have our contact details", "dim am y tro; mae ein manylion cyswllt ganddyn nhw"),
    },
    "close_reason_told": {
        "completed": ("the Active Offer is complete", "mae'r Cynnig Rhagweithiol wedi'i gwblhau"),
        "unable_to_contact": ("we could not reach the young person", "ni allem gysylltu â'r person ifanc"),
        "declined_meeting": ("the young person declined a meeting", "gwrthododd y person ifanc gyfarfod"),
        "withdrawn": ("the referral was withdrawn", "tynnwyd yr atgyfeiriad yn ôl"),
        "duplicate": ("it duplicated another referral", "roedd yn dyblygu atgyfeiriad arall"),
    },
    "deadline_task": {
        "acknowledge_by": ("acknowledge the referral", "cydnabod yr atgyfeiriad"),
        "allocate_by": ("allocate an advocate", "neilltuo eiriolwr"),
        "first_contact_by": ("first contact with the child", "cysylltu â'r plentyn am y tro cyntaf"),
        "meeting_by": ("hold the Active Offer meeting", "cynnal cyfarfod y Cynnig Rhagweithiol"),
    },
    "complaint_deadline_task": {
        "acknowledge_by": ("acknowledge the complaint", "cydnabod y gŵyn"),
        "respond_by": ("answer the complaint", "ateb y gŵyn"),
        "stage_2_respond_by": ("answer the complaint at stage 2", "ateb y gŵyn yng ngham 2"),
    },
    "deadlines_in_state": {
        "missed": ("Missed", "Wedi'u methu"),
        "at_risk": ("At risk", "Mewn perygl"),
    },
    "complaint_kind_told": {
        "complaint": ("complaint", "cwyn"),
        "representation": ("representation", "sylwadau"),
        "compliment": ("compliment", "canmoliaeth"),
    },
    "complaint_answer_told": {
        "upheld": ("upheld: we agree with what you told us",
                   "wedi'i chadarnhau: rydym yn cytuno â'r hyn a ddywedoch wrthym"),
        "partly_upheld": ("partly upheld: we agree with some of what you told us",
                          "wedi'i chadarnhau'n rhannol: rydym yn cytuno â rhywfaint o'r hyn a ddywedoch wrthym"),
        "not_upheld": ("not upheld: we do not agree with what you told us",
                       "heb ei chadarnhau: nid ydym yn cytuno â'r hyn a ddywedoch wrthym"),
        "withdrawn": ("withdrawn", "wedi'i thynnu'n ôl"),
    },
    "record_kind": {
        "referral": ("Referral", "Atgyfeiriad"),
        "opt_out": ("Opt-out", "Dewis peidio"),
        "transition": ("Change in care", "Newid mewn gofal"),
        "service_message": ("Message to the service", "Neges i'r gwasanaeth"),
        "meeting": ("Meeting", "Cyfarfod"),
        "deadlines": ("Deadlines", "Terfynau amser"),
        "case": ("Advocacy case", "Achos eirioli"),
        "disclosure": ("Disclosure without consent", "Datgelu heb gydsyniad"),
        "complaint": ("Complaint", "Cwyn"),
        "message_sent": ("Message sent", "Neges a anfonwyd"),
        "message_withheld": ("Message not sent", "Neges na chafodd ei hanfon"),
    },
    "redaction_reason": {
        "third_party": ("someone else's details", "manylion rhywun arall"),
        "staff_note": ("a member of staff's own notes", "nodiadau aelod o staff"),
        "other_child": ("another child's details", "manylion plentyn arall"),
    },
    "audit_via": {
        "web": ("web pages", "tudalennau gwe"),
        "api": ("the API", "yr API"),
    },
    "audit_what": {
        "acknowledge complaint": ("Acknowledge a complaint", "Cydnabod cwyn"),
        "agree case plan": ("Agree the case plan", "Cytuno ar gynllun yr achos"),
        "allocate referral": ("Allocate a referral", "Dyrannu atgyfeiriad"),
        "answer complaint": ("Answer a complaint", "Ateb cwyn"),
        "answer message": ("Answer a message", "Ateb neges"),
        "arrange meeting": ("Arrange a meeting", "Trefnu cyfarfod"),
        "ask to look at complaint again": ("Ask for a complaint to be looked at again",
                                           "Gofyn am edrych ar gŵyn eto"),
        "cancel meeting": ("Cancel a meeting", "Canslo cyfarfod"),
        "change staff account": ("Change a staff account", "Newid cyfrif staff"),
        "close case": ("Close a case", "Cau achos"),
        "close complaint": ("Close a complaint", "Cau cwyn"),
        "close referral": ("Close a referral", "Cau atgyfeiriad"),
        "complaint made": ("Make a complaint", "Gwneud cwyn"),
        "conclude issue": ("Conclude an issue", "Dod â mater i ben"),
        "create referral": ("Create a referral", "Creu atgyfeiriad"),
        "create staff account": ("Create a staff account", "Creu cyfrif staff"),
        "deactivate staff account": ("Deactivate a staff account", "Dadactifadu cyfrif staff"),
        "decide change of advocate": ("Decide a change of advocate", "Penderfynu ar newid eiriolwr"),
        "download meeting invitation": ("Download a meeting invitation", "Lawrlwytho gwahoddiad i gyfarfod"),
        "escalate complaint": ("Escalate a complaint to stage 2", "Uwchgyfeirio cwyn i gam 2"),
        "issue password reset link": ("Give a link to set a password", "Rhoi dolen i osod cyfrinair"),
        "lift legal hold": ("Lift a legal hold", "Codi daliad cyfreithiol"),
        "link message to referral": ("Link a message to a referral", "Cysylltu neges ag atgyfeiriad"),
        "list cases": ("List cases", "Rhestru achosion"),
        "list meetings": ("List meetings", "Rhestru cyfarfodydd"),
        "list messages": ("List messages", "Rhestru negeseuon"),
        "list referrals": ("List referrals", "Rhestru atgyfeiriadau"),
        "list transitions": ("List changes in care", "Rhestru newidiadau mewn gofal"),
        "mark renewed offer done": ("Record that a renewed offer was made", "Cofnodi bod cynnig newydd wedi'i wneud"),
        "no case file: the child does not consent": ("No case file: the child does not consent",
                                                     "Dim ffeil achos: nid yw'r plentyn yn rhoi caniatâd"),
        "open case": ("Open a case", "Agor achos"),
        "open council API keys": ("Open the council API keys", "Agor allweddi API y cynghorau"),
        "place legal hold": ("Place a legal hold", "Gosod daliad cyfreithiol"),
        "raise issue": ("Raise an issue", "Codi mater"),
        "reactivate staff account": ("Reactivate a staff account", "Ailactifadu cyfrif staff"),
        "read annual report": ("Read the annual report", "Darllen yr adroddiad blynyddol"),
        "read capacity": ("Read the capacity", "Darllen y capasiti"),
        "read case": ("Read a case", "Darllen achos"),
        "read caseloads": ("Read the caseloads", "Darllen y llwythi achosion"),
        "read child's record": ("Read the child's record", "Darllen cofnod y plentyn"),
        "read complaint": ("Read a complaint", "Darllen cwyn"),
        "read legal hold": ("Read a legal hold", "Darllen daliad cyfreithiol"),
        "read message": ("Read a message", "Darllen neges"),
        "read quarterly report": ("Read the quarterly report", "Darllen yr adroddiad chwarterol"),
        "read referral": ("Read a referral", "Darllen atgyfeiriad"),
        "read referral in a list": ("Read a referral in a list", "Darllen atgyfeiriad mewn rhestr"),
        "read transition": ("Read a change in care", "Darllen newid mewn gofal"),
        "record activity": ("Record an activity", "Cofnodi gweithgarwch"),
        "record complaint": ("Record a complaint", "Cofnodi cwyn"),
        "record contact attempt": ("Record an attempt to contact", "Cofnodi ymgais i gysylltu"),
        "record disclosure": ("Record a disclosure", "Cofnodi datgeliad"),
        "record meeting": ("Record a meeting", "Cofnodi cyfarfod"),
        "record message": ("Record a message", "Cofnodi neges"),
        "record opt-out": ("Record an opt-out", "Cofnodi dewis peidio"),
        "record transition": ("Record a change in care", "Cofnodi newid mewn gofal"),
        "request change of advocate": ("Ask for a change of advocate", "Gofyn am newid eiriolwr"),
        "reschedule meeting": ("Reschedule a meeting", "Aildrefnu cyfarfod"),
        "respond complaint": ("Answer a complaint", "Ateb cwyn"),
        "revoke API key": ("Revoke an API key", "Dirymu allwedd API"),
        "revoke staff token": ("Revoke a staff token", "Dirymu tocyn staff"),
        "rotate API key": ("Rotate an API key", "Cylchdroi allwedd API"),
        "search referrals": ("Search the referrals", "Chwilio'r atgyfeiriadau"),
        "self-referral": ("Self-referral", "Hunanatgyfeiriad"),
        "set password by reset link": ("Set a password by a link", "Gosod cyfrinair drwy ddolen"),
        "set webhook": ("Set the webhook", "Gosod y bachyn gwe"),
        "sign in": ("Sign in", "Mewngofnodi"),
        "signpost": ("Signpost the child", "Cyfeirio'r plentyn"),
        "subject access export read": ("Read a subject access export", "Darllen allforio mynediad at ddata"),
        "subject access export released": ("Release a subject access export",
                                           "Rhyddhau allforio mynediad at ddata"),
        "subject access export requested": ("Ask for a subject access export",
                                            "Gofyn am allforio mynediad at ddata"),
        "subject access export reviewed": ("Review a subject access export", "Adolygu allforio mynediad at ddata"),
        "subject access refused": ("Open subject access, refused", "Agor mynediad at ddata, wedi'i wrthod"),
        "subject access: no such child": ("Subject access: no such child",
                                          "Mynediad at ddata: dim plentyn o'r fath"),
        "unlock staff account": ("Unlock a staff account", "Datgloi cyfrif staff"),
        "who looked read": ("Read who looked", "Darllen pwy edrychodd"),
        "who looked refused": ("Read who looked, refused", "Darllen pwy edrychodd, wedi'i wrthod"),
        "withdraw complaint": ("Withdraw a complaint", "Tynnu cwyn yn ôl"),
    },
    "audit_why": {
        "council integration": ("The council's case system", "System achosion y cyngor"),
        "provider staff (advocate)": ("Provider staff (advocate)", "Staff y darparwr (eiriolwr)"),
        "provider staff (manager)": ("Provider staff (manager)", "Staff y darparwr (rheolwr)"),
        "provider staff (referrer)": ("Staff account (council referrer)", "Cyfrif staff (atgyfeiriwr y cyngor)"),
        "provider staff (commissioner)": ("Provider staff (commissioner)", "Staff y darparwr (comisiynydd)"),
        "provider staff (admin)": ("Provider staff (administrator)", "Staff y darparwr (gweinyddwr)"),
        "web forms": ("Web pages", "Tudalennau gwe"),
        "web forms (advocate)": ("Web pages (advocate)", "Tudalennau gwe (eiriolwr)"),
        "web forms (manager)": ("Web pages (manager)", "Tudalennau gwe (rheolwr)"),
        "web forms (referrer)": ("Web pages (council referrer)", "Tudalennau gwe (atgyfeiriwr y cyngor)"),
        "web forms (commissioner)": ("Web pages (commissioner)", "Tudalennau gwe (comisiynydd)"),
        "web forms (admin)": ("Web pages (administrator)", "Tudalennau gwe (gweinyddwr)"),
        "web forms (public)": ("Public web form", "Ffurflen we gyhoeddus"),
        "web forms (child's record)": ("Web pages (the child's record)", "Tudalennau gwe (cofnod y plentyn)"),
        "web forms (open case)": ("Web pages (opening a case)", "Tudalennau gwe (agor achos)"),
        "web forms (subject access)": ("Web pages (subject access)", "Tudalennau gwe (mynediad at ddata)"),
        "web forms (who looked)": ("Web pages (who looked)", "Tudalennau gwe (pwy edrychodd)"),
        "command line": ("The command line", "Y llinell orchymyn"),
        "reset link": ("A link to set a password", "Dolen i osod cyfrinair"),
        "wrong": ("Sign-in refused: wrong email address or password",
                  "Mewngofnodi wedi'i wrthod: cyfeiriad e-bost neu gyfrinair anghywir"),
        "locked": ("Sign-in refused: too many failed attempts",
                   "Mewngofnodi wedi'i wrthod: gormod o ymdrechion aflwyddiannus"),
        "role": ("Sign-in refused: the account cannot use the pages",
                 "Mewngofnodi wedi'i wrthod: ni all y cyfrif ddefnyddio'r tudalennau"),
    },
}
"""Each kind of code, each code's (English, Welsh). A kind ending `_told` is how an email says the code within its
sentence, `_to_child` how a page speaks of it to the child ("you", "ti"); the rest are how a page, a form or a
report names it."""

VOCABULARIES = {
    "referral.KINDS": "referral_kind", "referral.ACTIVE_OFFER_BASES": "basis", "referral.ELIGIBILITY": "eligibility",
    "referral.LANGUAGES": "language", "referral.CONSENT_FLAGS": "consent_flag", "referral.REFERRER_ROLES": "source",
    "referral.ORGANISATION_TYPES": "organisation_type", "referral.STATUSES": "referral_status",
    "referral.MEETING_ACTIONS": "meeting_action", "referral.ACTIVE_OFFER_STEPS": "meeting_action",
    "referral.CLOSE_REASONS": "close_reason", "referral.CLOSE_REASONS_BY_HAND": "close_reason",
    "referral.OUTCOMES": "outcome", "referral.CONTACT_METHODS": "contact_method",
    "referral.CONTACT_RESULTS": "contact_result", "referral.NOT_WANTED_REASONS": "not_wanted_reason",
    "referral.SUPPORT_TYPES": "support_type", "referral.OTHER_SUPPORT_TYPES": "support_type",
    "referral.TRANSITION_KINDS": "transition_kind", "referral.OFFERED_AGAIN_AFTER": "offered_again_after",
    "referral.NOT_OFFERED_AGAIN": "not_offered_again", "referral.RENEWED_OFFER_RESULTS": "renewed_offer_result",
    "referral.EQUALITY.gender": "gender", "referral.EQUALITY.ethnic_group": "ethnic_group",
    "referral.EQUALITY.disability": "disability",
    "scheduling.DEADLINES": "deadline", "scheduling.ATTENTION_STATES": "deadline_view",
    "scheduling.DEADLINE_VIEWS": "deadline_view", "scheduling.MEETING_STATUSES": "meeting_status",
    "scheduling.VENUE_TYPES": "venue_type", "scheduling.NOT_HELD_REASONS": "not_held_reason",
    "scheduling.MEETING_TOPICS": "meeting_topic", "scheduling.LEFT_WITH_CHILD": "left_with_child",
    "casework.THEMES": "theme", "casework.ISSUE_OUTCOMES": "issue_outcome", "casework.ACTIVITIES": "activity",
    "casework.CONTRIBUTIONS": "contribution", "casework.SIGNPOSTS": "signpost",
    "casework.DISCLOSURE_REASONS": "disclosure_reason", "casework.CASE_OUTCOMES": "case_outcome",
    "casework.CHANGE_RESULTS": "change_result", "casework.CASE_STATUSES": "case_status",
    "complaints.KINDS": "complaint_kind", "complaints.FROM": "complaint_from",
    "complaints.OUTCOMES": "complaint_outcome", "complaints.ANSWERS": "complaint_outcome",
    "complaints.STATUSES": "complaint_status", "complaints.CLOCKS": "deadline",
    "messages.CHANNELS": "message_channel", "messages.FROM": "message_from", "messages.NATIONS": "nation",
    "messages.LANGUAGES": "language",
    "retention.EXPIRED_KINDS": "retention_kind", "retention.HOLD_REASONS": "hold_reason",
    "councils.NATIONS": "nation",
}
"""The kind that names the codes of each vocabulary of shared/contracts (`module.NAME`, a dict's by its key) and of
the council register: a vocabulary added there without a kind here fails tests/unit/shared/test_words.py."""


def language_of(language: object) -> str:
    """Welsh for a page or reader in Welsh (`cy`, a `cy` locale), English otherwise."""
    return "cy" if str(language or "").startswith("cy") else "en"


def of(kind: str, code: str, language: object) -> str:
    """A code's words in `language` (`en` or `cy`), e.g. `of("close_reason", "duplicate", "cy")`; `UnknownCode`
    for a code or kind without words."""
    try:
        english, welsh = WORDS[kind][code]
    except (KeyError, TypeError):
        raise UnknownCode(f"no words for the {kind} {code!r}: give it its words in shared/words.py") from None
    return welsh if language_of(language) == "cy" else english


def codes(kind: str) -> tuple[str, ...]:
    """The codes of a kind, in the order its words are written (the order a form offers them)."""
    if kind not in WORDS:
        raise UnknownCode(f"no words for codes of the kind {kind!r}: give them in shared/words.py")
    return tuple(WORDS[kind])


@cache
def _embedded() -> CouncilRegister:
    return CouncilRegister.load()


def council(code: str, language: object, register: CouncilRegister | None = None) -> str:
    """A council's name in `language`, from `register` (the embedded Welsh councils when none is given)."""
    found = (register or _embedded()).get(code)
    if found is None:
        raise UnknownCode(f"no council {code!r} in the council register: add it to the councils file")
    return found.name_cy if language_of(language) == "cy" else found.name


def region(slug: str, language: object, register: CouncilRegister | None = None) -> str:
    """A region's name in `language` ("Cardiff and Vale", "Caerdydd a'r Fro"), from `register`."""
    try:
        return (register or _embedded()).region_name(slug, language_of(language))
    except KeyError:
        raise UnknownCode(f"no region {slug!r} in the council register: name it in the councils file") from None
