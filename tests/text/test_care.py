"""Care cues: phrases in data files, matched on words and dictionary forms in three languages;
figures of speech do not fire; the most urgent cue comes first; crisis lines by country."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from amicable.paths import ROOT
from amicable.settings import Settings
from amicable.text import care

CARE = ROOT / "policies" / "care"


@pytest.mark.parametrize(
    ("text", "language", "cue"),
    [
        ("I just want to end my life, I can't do this", "en", "suicidal"),
        ("j'ai envie de mourir, je ne vois plus d'issue", "fr", "suicidal"),
        ("ik wil er niet meer zijn", "nl", "suicidal"),
        ("my wife passed away in march", "en", "bereavement"),
        ("mon père est décédé le mois dernier", "fr", "bereavement"),
        ("mijn moeder is overleden", "nl", "bereavement"),
        ("I'm having chemo every week", "en", "illness"),
        ("je suis hospitalisée depuis lundi", "fr", "illness"),
        ("ik heb kanker", "nl", "illness"),
        ("I really can't cope with this right now", "en", "mental_health"),
        ("je suis au bout du rouleau", "fr", "mental_health"),
        ("ik heb een burn-out", "nl", "mental_health"),
        ("my husband hits me and took out loans in my name", "en", "abuse"),
        ("il me frappe quand je parle d'argent", "fr", "abuse"),
        ("ik heb gokschulden", "nl", "gambling"),
        ("I lost it all at the casino", "en", "gambling"),
    ],
)
def test_each_cue_is_recognised(text, language, cue):
    assert care.cues(text, language, CARE)[:1] == [cue]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("this price is killing me", "en"),
        ("my phone died, sorry for the late reply", "en"),
        ("I bet it's already paid", "en"),
        ("I'm dying to get this sorted", "en"),
        ("ces frais me tuent", "fr"),
        ("je parie que c'est déjà payé", "fr"),
        ("ik kan niet meer betalen dan 50 euro", "nl"),
        ("ik wed dat het al betaald is", "nl"),
        ("can I pay 50 a month from the 28th?", "en"),
        ("le délai est dépassé, je sais", "fr"),
    ],
)
def test_figures_of_speech_and_ordinary_messages_carry_no_cue(text, language):
    assert care.cues(text, language, CARE) == []


def test_the_most_urgent_cue_comes_first():
    assert care.cues("my husband died and now I want to die too", "en", CARE)[0] == "suicidal"


def test_a_message_in_no_known_language_is_read_with_every_language():
    assert care.cues("ik wil er niet meer zijn", None, CARE) == ["suicidal"]


def test_crisis_lines_follow_the_country_and_then_the_language():
    belgium = care.crisis_lines(CARE, "BE", "nl")
    assert [line.number for line in belgium] == ["1813", "0800 32 123"]
    assert [line.number for line in care.crisis_lines(CARE, "GB", "en")] == ["116 123"]
    unknown_country = {line.number for line in care.crisis_lines(CARE, None, "fr")}
    assert {"3114", "0800 32 123"} <= unknown_country


def test_a_care_file_with_an_unknown_cue_is_refused(tmp_path: Path):
    for name in ("en", "fr", "nl"):
        (tmp_path / f"{name}.yml").write_text("suicidal: [kill myself]\n")
    (tmp_path / "crisis_lines.yml").write_text((CARE / "crisis_lines.yml").read_text())
    shutil.copytree(CARE / "examples", tmp_path / "examples")
    care.check(tmp_path)
    (tmp_path / "fr.yml").write_text("sadness: [triste]\n")
    with pytest.raises(ValueError, match="unknown cue"):
        care.check(tmp_path)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I just want to pay it and be done with it", "en"),
        ("just give me the damn link", "en"),
        ("je ne veux plus recevoir de SMS de votre part", "fr"),
        ("Ik wens niet meer via dit kanaal gecontacteerd te worden.", "nl"),
        ("HE-923D5A4F", "en"),
        # Brush-offs and questions about "your last message" (the sentence encoder once put
        # them beside farewell notes). Not in the examples: written for this test.
        ("Quit texting me, I can sort my own bills out thank you.", "en"),
        ("Arrêtez vos messages, je me charge de tout toute seule.", "fr"),
        ("Laat me gerust, ik los mijn eigen zaken wel op.", "nl"),
        ("Could you explain your last message again? Lost me.", "en"),
        ("Pourriez-vous reformuler votre dernier message ? Je n'ai pas compris.", "fr"),
        ("Kun je je laatste bericht nog eens uitleggen?", "nl"),
    ],
)
def test_ordinary_requests_are_never_read_as_a_crisis(text, language):
    """What the model beside the phrases once read as suicidal, in whole-conversation runs."""
    assert care.cues(text, language, CARE) == []


def test_an_answer_to_the_identity_check_is_read_for_phrases_only():
    text = "honestly i dont see the point of any of it anymore"
    assert care.cues(text, "en", CARE, phrases_only=True) == care.CareMatcher(
        "en", care.load_phrases(CARE / "en.yml")
    ).cues(text)


def test_the_model_overrules_a_phrase_only_when_sure_of_ordinary_talk_and_never_a_suicidal_one():
    """The decision rule itself (care.decide), with the model's chances given."""
    text = "I nearly had a heart attack when I saw the bill"
    ordinary = {"none": 0.9, "illness": 0.05, "suicidal": 0.05}
    unsure = {"none": 0.6, "illness": 0.35, "suicidal": 0.05}
    wary = care.Thresholds(sure=0.65, suicidal_sure=0.7, ordinary_sure=0.8)
    assert care.decide(text, ["illness"], ordinary, wary) == []
    assert care.decide(text, ["illness"], unsure, wary) == ["illness"]
    assert care.decide(text, ["suicidal", "illness"], ordinary, wary) == ["suicidal"]
    # A message of a few words is the phrases' alone, whatever the model says.
    assert care.decide("heart attack", ["illness"], ordinary, wary) == ["illness"]
    # The model adds a cue the phrases missed when sure, and suicidal intent sooner.
    assert care.decide(text, [], {"none": 0.2, "illness": 0.8}, wary) == ["illness"]
    assert care.decide(text, [], {"none": 0.4, "illness": 0.6}, wary) == []
    assert care.decide(text, [], {"none": 0.45, "suicidal": 0.55}, wary._replace(suicidal_sure=0.5)) == ["suicidal"]
    assert care.decide(text, [], {"none": 0.45, "suicidal": 0.55}, wary) == []


def test_each_language_reads_with_its_own_thresholds():
    assert set(care.THRESHOLDS) == set(care.LANGUAGES)
    readers = care._readers(CARE)
    assert {lang: reader.thresholds for lang, reader in readers.items()} == care.THRESHOLDS


def test_the_meaning_of_a_sentence_is_shared_across_languages():
    """The sentence encoder puts one thought in three languages near each other and far from an
    ordinary request: what lets the model read what no example spells out."""
    vectors = care.meaning(
        [
            "I don't want to live anymore",
            "je ne veux plus vivre",
            "ik wil niet meer leven",
            "can I pay the invoice next week",
        ]
    )
    similarity = vectors @ vectors.T / (care.MEANING_WEIGHT**2)
    assert similarity[0, 1] > 0.6 and similarity[0, 2] > 0.6 and similarity[1, 2] > 0.6
    assert max(similarity[3, :3]) < 0.4


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_web_process_is_ready_for_the_first_message_when_it_starts(settings: Settings) -> None:
    """Everything the care layer reads a message with is loaded while the process starts, the
    sentence encoder too: a model read back from the cache never touched it, and the first
    debtor to write waited for it (about a second here; ten seconds on a busy machine, seen
    as one email relay taking 10.3 s)."""
    from fastapi.testclient import TestClient

    from server.app import create_app

    care._encoder.cache_clear()
    with TestClient(create_app(settings)):
        assert care._encoder.cache_info().currsize == 1
