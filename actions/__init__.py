"""Amicable's action server (rasa-sdk). It never touches the database: every read and every
outcome goes through the API (`actions.api`), so the rules about money live in one place."""
