"""The phone, through Twilio Voice: each turn is a signed webhook answered with TwiML.

The bot's words are spoken (`<Say>`) in the debtor's language with a voice of their region,
and the answer is gathered by speech or keypad (`<Gather input="speech dtmf">`) with the
recogniser set to the same language (en-GB, fr-BE, nl-BE, nl-NL …). Amounts are read as
words a listener follows ("120 euros et 50 centimes"), links are never read out: a payment
link goes by SMS. The keypad works too: 1 to pay by card, 2 for a plan, 0 for a person, and
a date of birth typed as eight digits. Silence is asked about once; the second time the
caller is offered a person (`<Dial>` to the agent line when one is set).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import structlog
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from twilio.twiml.voice_response import Gather, VoiceResponse

from amicable.providers import outbound
from amicable.providers.twilio import e164
from amicable.services import conversations, identity
from amicable.services.accounts import accounts_for_phone
from channels.gateway import IncomingMessage, TooFast, converse, short_transaction
from channels.twilio_messaging import bind_by_number, verified_form

log = structlog.get_logger()
router = APIRouter(prefix="/channels/twilio", tags=["channels"], include_in_schema=False)

PATH = "/channels/twilio/voice"
# Recogniser and voice by language and country; the first entry of a language is its default.
SPEECH = {
    ("en", "GB"): ("en-GB", "Polly.Amy"),
    ("en", "US"): ("en-US", "Polly.Joanna"),
    ("en", "IE"): ("en-IE", "Polly.Niamh"),
    ("fr", "BE"): ("fr-BE", "Polly.Isabelle"),
    ("fr", "FR"): ("fr-FR", "Polly.Lea"),
    ("nl", "BE"): ("nl-BE", "Polly.Lisa"),
    ("nl", "NL"): ("nl-NL", "Polly.Laura"),
}
DEFAULT_REGION = {"en": ("en", "GB"), "fr": ("fr", "BE"), "nl": ("nl", "BE")}
# What the recogniser should listen for, by what the caller is being asked: before identity is
# confirmed, a file reference, a date of birth or a postcode; after, the choices of the
# conversation (and the titles of any buttons the bot just offered).
HINTS = {
    "identify": {
        "en": "date of birth, postcode, January, February, March, April, May, June, July, August, September, "
        "October, November, December, nineteen, two thousand",
        "fr": "date de naissance, code postal, janvier, février, mars, avril, mai, juin, juillet, août, "
        "septembre, octobre, novembre, décembre, mille neuf cent, deux mille",
        "nl": "geboortedatum, postcode, januari, februari, maart, april, mei, juni, juli, augustus, september, "
        "oktober, november, december, negentienhonderd, tweeduizend",
    },
    "choose": {
        "en": "yes, no, pay, card, payment plan, installments, next week, payday, person, agent, dispute",
        "fr": "oui, non, payer, carte, plan de paiement, mensualités, semaine prochaine, conseiller, contester",
        "nl": "ja, nee, betalen, kaart, betalingsregeling, termijnen, volgende week, medewerker, betwisten",
    },
}


def hints_for(language: str, verified: bool, buttons: list[str]) -> str:
    """Twilio's hints, at most 100 phrases: the question's own words first."""
    base = HINTS["choose" if verified else "identify"].get(language, HINTS["choose"]["en"])
    phrases = [b.strip() for b in buttons if b.strip() and len(b) <= 100] + base.split(", ")
    return ", ".join(dict.fromkeys(phrases[:100]))


KEYPAD = {"1": "pay_by_card", "2": "plan", "0": "person"}
SAY = {
    "pay_by_card": {
        "en": "I want to pay by card now",
        "fr": "je veux payer par carte maintenant",
        "nl": "ik wil nu met de kaart betalen",
    },
    "plan": {
        "en": "I would like a payment plan",
        "fr": "je voudrais un plan de paiement",
        "nl": "ik wil graag een betalingsregeling",
    },
    "person": {
        "en": "I want to talk to a person",
        "fr": "je veux parler à un conseiller",
        "nl": "ik wil met een medewerker praten",
    },
}
PROMPTS = {
    "menu": {
        "en": "You can also use the keypad: press 1 to pay by card, 2 for a payment plan, or 0 for a person.",
        "fr": "Vous pouvez aussi utiliser le clavier : tapez 1 pour payer par carte, 2 pour un plan de paiement, "
        "ou 0 pour parler à un conseiller.",
        "nl": "U kunt ook de toetsen gebruiken: druk 1 om met de kaart te betalen, 2 voor een betalingsregeling, "
        "of 0 voor een medewerker.",
    },
    "silence": {
        "en": "Sorry, I didn't hear anything. Take your time, and tell me how I can help.",
        "fr": "Pardon, je n'ai rien entendu. Prenez votre temps, et dites-moi comment je peux vous aider.",
        "nl": "Sorry, ik hoorde niets. Neem gerust uw tijd, en zeg me hoe ik u kan helpen.",
    },
    "to_person": {
        "en": "Let me put you through to a colleague. One moment please.",
        "fr": "Je vous passe un collègue. Un instant, s'il vous plaît.",
        "nl": "Ik verbind u door met een collega. Een ogenblik alstublieft.",
    },
    "callback": {
        "en": "A colleague will call you back as soon as possible. Thank you for calling, goodbye.",
        "fr": "Un collègue vous rappellera dès que possible. Merci de votre appel, au revoir.",
        "nl": "Een collega belt u zo snel mogelijk terug. Bedankt voor uw oproep, tot ziens.",
    },
    "texted": {
        "en": "I've sent you a text message with the secure payment link.",
        "fr": "Je vous ai envoyé un SMS avec le lien de paiement sécurisé.",
        "nl": "Ik heb u een sms gestuurd met de beveiligde betaallink.",
    },
}
_URL = re.compile(r"https?://\S+")
_MONEY = re.compile(r"€\s?(\d[\d.,\u202f\u00a0 ]*\d|\d)|(\d[\d.,\u202f\u00a0 ]*\d|\d)\s?€")
CURRENCY_WORDS = {"en": ("euros", "and", "cents"), "fr": ("euros", "et", "centimes"), "nl": ("euro", "en", "cent")}


def region(language: str, country: str | None) -> tuple[str, str]:
    """(recogniser language, voice) for the debtor: their country's variant where known."""
    key = (language, (country or "").upper())
    return SPEECH.get(key) or SPEECH[DEFAULT_REGION.get(language, ("en", "GB"))]


def for_speech(text: str, language: str) -> str:
    """What a listener can follow: no links, amounts in words of money, lines as sentences."""
    whole_word, joiner, cents_word = CURRENCY_WORDS.get(language, CURRENCY_WORDS["en"])

    def spoken(match: re.Match[str]) -> str:
        figure = re.sub(r"[\s\u202f\u00a0]", "", match.group(1) or match.group(2))
        decimal = "," if language in ("fr", "nl") else "."
        if decimal in figure and len(figure.rsplit(decimal, 1)[1]) == 2:
            whole, cents = figure.rsplit(decimal, 1)
        else:
            whole, cents = figure, "00"
        whole = re.sub(r"[.,]", "", whole)
        if int(cents) == 0:
            return f"{int(whole)} {whole_word}"
        return f"{int(whole)} {whole_word} {joiner} {int(cents)} {cents_word}"

    text = _URL.sub("", text)
    text = _MONEY.sub(spoken, text)
    text = re.sub(r"\s*\n+\s*", ". ", text)
    text = re.sub(r"\s*:\s*\.", ".", text)
    return re.sub(r"\s{2,}", " ", text).strip(" .") + "."


def _caller(form: dict[str, str]) -> str | None:
    """The debtor's number: the caller on an inbound call, the callee on one we placed."""
    outbound = form.get("Direction", "inbound").startswith("outbound")
    return e164(form.get("To" if outbound else "From", ""))


def _debtor(request: Request, address: str | None) -> tuple[str, str | None]:
    if address is None:
        return "en", None
    with short_transaction(request) as session:
        files = accounts_for_phone(session, address)
        return (files[0].debtor.language, files[0].debtor.country) if files else ("en", None)


def _new_call(request: Request, conversation_id: str, address: str | None) -> None:
    with short_transaction(request) as session:
        conversation = conversations.get_or_create(session, conversation_id, "voice", address)
        identity.reset(session, conversation, "a new call")


def _state(request: Request, conversation_id: str) -> tuple[bool, bool]:
    """(verified, handed to a person) for the call's conversation."""
    with short_transaction(request) as session:
        conversation = session.get(conversations.Conversation, conversation_id)
        if conversation is None:
            return False, False
        return conversation.verified, conversation.handled_by == "agent"


def _text_link(request: Request, to: str, body: str) -> bool:
    """The payment link, texted to the caller while they are on the line."""
    try:
        with short_transaction(request) as session:
            outbound.send(session, request.app.state.settings, "sms", to, body)
    except outbound.NotSent as error:
        log.warning("payment link not texted", to=to, reason=str(error))
        return False
    return True


def _gather(language: str, country: str | None, texts: list[str], silence: int, hints: str) -> Gather:
    recogniser, voice = region(language, country)
    gather = Gather(
        input="speech dtmf",
        language=recogniser,
        hints=hints,
        action=f"{PATH}?{urlencode({'turn': 1, 'silence': silence})}",
        method="POST",
        speech_timeout="auto",
        timeout=6,
        action_on_empty_result=True,
    )
    for text in texts:
        if text:
            gather.say(text, voice=voice, language=recogniser)
    return gather


def _twiml(response: VoiceResponse) -> Response:
    return Response(str(response), media_type="application/xml")


def _hand_over(request: Request, response: VoiceResponse, language: str, country: str | None) -> Response:
    recogniser, voice = region(language, country)
    line = request.app.state.settings.agent_phone_number
    if line:
        response.say(PROMPTS["to_person"][language], voice=voice, language=recogniser)
        response.dial(line)
    else:
        response.say(PROMPTS["callback"][language], voice=voice, language=recogniser)
        response.hangup()
    return _twiml(response)


@router.post("/voice")
async def voice(request: Request) -> Response:
    form = await verified_form(request)
    address = _caller(form)
    conversation_id = f"voice:{address or form.get('CallSid', 'unknown')}"
    language, country = await run_in_threadpool(_debtor, request, address)
    language = language if language in PROMPTS["menu"] else "en"
    recogniser, voice_name = region(language, country)
    first = "turn" not in request.query_params
    silence = int(request.query_params.get("silence", "0") or 0)
    speech = form.get("SpeechResult", "").strip()
    digits = form.get("Digits", "").strip().rstrip("#")
    response = VoiceResponse()

    if first:
        # A new call proves nothing about who holds the phone now (caller ids can be spoofed):
        # whatever an earlier call confirmed is asked again.
        await run_in_threadpool(_new_call, request, conversation_id, address)
        if address:
            await run_in_threadpool(bind_by_number, request, "voice", address, conversation_id)
        text = "hello"
    elif digits in KEYPAD:
        text = SAY[KEYPAD[digits]][language]
    elif len(digits) == 8:
        text = f"{digits[:2]}/{digits[2:4]}/{digits[4:]}"  # a date of birth on the keypad
    elif digits or speech:
        text = speech or digits
    else:
        if silence + 1 >= 2:
            log.info("caller silent twice: offering a person", channel="voice", address=address or "")
            return _hand_over(request, response, language, country)
        verified, _ = await run_in_threadpool(_state, request, conversation_id)
        hints = hints_for(language, verified, [])
        response.append(_gather(language, country, [PROMPTS["silence"][language]], silence + 1, hints))
        response.redirect(f"{PATH}?{urlencode({'turn': 1, 'silence': silence + 1})}", method="POST")
        return _twiml(response)

    metadata: dict[str, Any] = {"channel": "voice", "address": address or "", "language": language}
    incoming = IncomingMessage(sender=conversation_id, message=text, metadata=metadata)
    try:
        replies = await converse(request, incoming, "voice", address=address, source=address or conversation_id)
    except TooFast as too_fast:
        replies = [{"text": too_fast.reply}]
    texts = [r.get("text") or "" for r in replies]
    spoken = [for_speech(t, language) for t in texts if t.strip()]
    if address and any("/pay/" in t for t in texts):
        link_message = next(t for t in texts if "/pay/" in t)
        if await run_in_threadpool(_text_link, request, address, link_message):
            spoken.append(PROMPTS["texted"][language])
    verified, with_person = await run_in_threadpool(_state, request, conversation_id)
    if with_person:
        for text in spoken:
            response.say(text, voice=voice_name, language=recogniser)
        return _hand_over(request, response, language, country)
    if verified and first is False:
        spoken.append(PROMPTS["menu"][language])
    buttons = [b.get("title", "") for r in replies for b in r.get("buttons") or []]
    response.append(_gather(language, country, spoken, 0, hints_for(language, verified, buttons)))
    response.redirect(f"{PATH}?{urlencode({'turn': 1, 'silence': 0})}", method="POST")
    return _twiml(response)
