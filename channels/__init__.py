"""The only door for debtors: every channel's protocol becomes one internal message that goes
to the bot, unless a person holds the conversation."""
