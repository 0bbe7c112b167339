"""One module per outside provider: Twilio (texts, WhatsApp, calls), Telegram, Stripe and
the local pay provider of the demo. `outbound.send` is the one way a message leaves us,
whoever sends it (an agent, outreach, a one-time code, a link during a call)."""
