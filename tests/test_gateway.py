"""The conversation webhook's own behaviour, without the bot (nothing listens on RASA_URL)."""

from __future__ import annotations

from amicable.db.models import BotOutbox, Conversation
from tests.conftest import AUTH
from tests.factories import account_body, web_sender


def _transcript(client, sender):
    with client.app.state.sessionmaker() as session:
        conversation = session.get(Conversation, sender)
        return [(m.author, m.text) for m in conversation.messages]


def test_bot_unreachable_gets_a_calm_reply_and_the_message_is_kept(client):
    sender = web_sender(client)
    replies = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": "hello"}).json()
    assert replies[0]["recipient_id"] == sender
    # Only what is true: the message is kept for the bot (the outbox row exists) and will be
    # answered here (tests/channels/test_outbox.py shows it answered once the bot is back).
    assert "kept your message and will answer it here" in replies[0]["text"]
    assert _transcript(client, sender)[0] == ("debtor", "hello")
    with client.app.state.sessionmaker() as session:
        [kept] = session.query(BotOutbox).all()
        assert (kept.conversation_id, kept.text, kept.status) == (sender, "hello", "waiting")


def test_ten_thousand_characters_get_a_calm_reply_without_the_bot_and_are_not_kept(client):
    sender = web_sender(client)
    replies = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": "a" * 10_000}).json()
    assert "sentence or two" in replies[0]["text"]
    # Answered, not stored: only what is accepted is kept.
    assert _transcript(client, sender) == [("bot", replies[0]["text"])]


def test_the_gateway_answers_in_the_language_it_is_written_to(client):
    long_french = "Bonjour, je voudrais vous expliquer ma situation en détail. " * 40
    sender = web_sender(client)
    replies = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": long_french}).json()
    assert "phrases" in replies[0]["text"]
    neutral = client.post(
        "/webhooks/rest/webhook",
        json={"sender": web_sender(client), "message": "x" * 3000, "metadata": {"language": "nl"}},
    ).json()
    assert "zinnen" in neutral[0]["text"]


def test_malformed_requests_are_4xx(client):
    assert client.post("/webhooks/rest/webhook", json={"message": "hi"}).status_code == 422
    assert client.post("/webhooks/rest/webhook", json={"sender": "", "message": "hi"}).status_code == 422
    assert client.post("/webhooks/rest/webhook", json={"sender": "a b<script>", "message": "hi"}).status_code == 422
    assert client.post("/webhooks/rest/webhook", json={"sender": "x", "message": 5}).status_code == 422
    assert (
        client.post(
            "/webhooks/rest/webhook", content=b"{nope", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )


def test_a_conversation_held_by_a_person_does_not_reach_the_bot(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    sender = web_sender(client)
    client.post("/webhooks/rest/webhook", json={"sender": sender, "message": "hi"})
    client.post(f"/api/v1/conversations/{sender}/handoffs", json={"reason": "asked_for_person"}, headers=AUTH)
    replies = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": "are you there?"}).json()
    assert "colleague" in replies[0]["text"]


def test_web_chat_and_docs_are_served(client):
    assert client.get("/").status_code == 200
    assert client.get("/docs").status_code == 200
    assert client.get("/health").json()["status"] == "ok"


def test_the_web_chat_can_be_embedded_on_another_site(client):
    preflight = client.options(
        "/webhooks/rest/webhook",
        headers={
            "Origin": "https://creditor.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "https://creditor.example")


def test_what_the_bot_reads():
    from channels.gateway import for_the_bot

    assert for_the_bot("😀😀😀") == "/nlu_fallback"
    assert for_the_bot("?!...") == "/nlu_fallback"
    assert for_the_bot("/affirm") == "affirm"  # a debtor cannot name intents
    assert for_the_bot("I forgot 😅") == "I forgot 😅"


def test_words_of_crisis_are_answered_without_the_bot_even_in_a_wall_of_text(client):
    """Suicidal intent gets the crisis lines whatever else happens (no bot listens here), also
    in a message too long to keep; the queue shows the conversation first, marked urgent."""
    sender = web_sender(client)
    long = "I have been trying to sort out these bills for months. " * 60 + "Honestly I want to end my life."
    replies = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": long}).json()
    assert "116 123" in replies[0]["text"] and "988" in replies[0]["text"], replies  # English, no country known
    assert "try again" not in replies[0]["text"]
    assert _transcript(client, sender) == [("bot", replies[0]["text"])]  # the long message itself is not kept
    short_sender = web_sender(client)
    reply = client.post("/webhooks/rest/webhook", json={"sender": short_sender, "message": "ik wil er niet meer zijn"})
    assert "1813" in reply.json()[0]["text"] and "113" in reply.json()[0]["text"]
    with client.app.state.sessionmaker() as session:
        conversation = session.get(Conversation, short_sender)
        assert conversation.handled_by == "agent"
        assert conversation.messages[0].payload == {"care_cue": "suicidal"}


def test_a_card_number_is_kept_only_as_a_placeholder(client):
    sender = web_sender(client)
    client.post("/webhooks/rest/webhook", json={"sender": sender, "message": "card 4111 1111 1111 1111 exp 04/28"})
    assert _transcript(client, sender)[0] == ("debtor", "card [CARD] exp [CARD_DETAILS]")
