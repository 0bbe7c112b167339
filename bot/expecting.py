"""What the bot's open question expects, known where the conversation state is: in Rasa.

The NLU component `bot/components/expected_answer.py` reads an answer of the expected shape (a
reference after "What is your file reference?", a yes after an offer) as that answer. It needs
to know what was asked, and the gateway needs it too (it keeps a date of birth given for the
identity check masked, and reads no care cue into a reference). The gateway used to ask Rasa
for the whole tracker before each message; that request loaded and replayed every stored event
of the conversation a second time per turn, about a tenth of Rasa's CPU and a sixth of the
web process's under load.

Now Rasa works it out from the tracker it already holds:
- before understanding a message, `parse_message` puts it in the message's metadata
  (`expecting`), from the state the message arrives in; a message kept by the gateway while the
  bot was away is read against the state it finally meets, not the one when it was kept;
- after the turn, the gateway's channel answers it with the replies, in the `Bot-Expecting`
  header (bot/channels.py), and the gateway keeps it with the conversation for the next message.

`install()` wraps the two `MessageProcessor` methods; it is called by the gateway's channel,
which every Rasa server of this project loads at start.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

from bot.answers import expected

METADATA_KEY = "expecting"


class GatewayCollector(CollectingOutputChannel):
    """The replies of one turn for the gateway, and what the bot expects after them."""

    def __init__(self) -> None:
        super().__init__()
        self.expecting: str | None = None
        self.finished = False  # the turn ran to its end and its state was worked out


def expected_by(tracker: DialogueStateTracker) -> str | None:
    return expected(tracker.active_loop_name, tracker.current_slot_values())


_parse_message = MessageProcessor.parse_message
_run_prediction_loop = MessageProcessor._run_prediction_loop


async def parse_message(
    self: MessageProcessor,
    message: UserMessage,
    tracker: DialogueStateTracker | None = None,
    only_output_properties: bool = True,
) -> dict[str, Any]:
    if tracker is not None:  # a debtor's message in a conversation, not a bare /model/parse
        metadata = dict(message.metadata or {})
        metadata[METADATA_KEY] = expected_by(tracker)
        message.metadata = metadata
    return await _parse_message(self, message, tracker, only_output_properties)


async def run_prediction_loop(
    self: MessageProcessor, output_channel: OutputChannel, tracker: DialogueStateTracker
) -> None:
    await _run_prediction_loop(self, output_channel, tracker)
    if isinstance(output_channel, GatewayCollector):
        output_channel.expecting = expected_by(tracker)
        output_channel.finished = True


def install() -> None:
    MessageProcessor.parse_message = parse_message  # type: ignore[method-assign]
    MessageProcessor._run_prediction_loop = run_prediction_loop  # type: ignore[method-assign]
