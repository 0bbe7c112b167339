"""Parse messages with the trained model, one JSON line in, one out, for tests that drive the
real NLU pipeline from the app's environment (tests/nlu/test_references.py).

In: {"text": ..., "expecting": "account_reference" | null}. Out: {"intent", "confidence"}.
"""

from __future__ import annotations

import asyncio
import json
import sys

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage

# Rasa logs to standard output too: answers carry this mark so they can be told apart.
MARK = "@@parsed "


async def main(model: str) -> None:
    agent = Agent.load(model)
    print(MARK + json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        metadata = {"expecting": request["expecting"]} if request.get("expecting") else None
        parsed = await agent.processor.parse_message(UserMessage(request["text"], metadata=metadata))
        intent = parsed.get("intent") or {}
        print(MARK + json.dumps({"intent": intent.get("name"), "confidence": intent.get("confidence")}), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
