"""Rasa-side code: evaluation of the trained model (run in the Rasa environment)."""
