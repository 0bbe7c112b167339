"""Collection rules that depend on where the debtor lives, in one place.

Each rule names its source in ../shared/research/compliance.md (the research notes the
product's rules were built from).
"""

from __future__ import annotations

# EU-06 / UK-15: health and vulnerability details are special-category data (GDPR art. 9,
# UK GDPR); explicit consent is the usual basis for recording them. EU and EEA countries,
# the United Kingdom and Switzerland (whose data protection law follows the same rule).
_EXPLICIT_CONSENT_FOR_HEALTH_DATA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "IS",
        "LI",
        "NO",
        "GB",
        "CH",
    ]
)


def vulnerability_needs_consent(country: str | None) -> bool:
    """Whether recording that a debtor is vulnerable needs their explicit yes first. A debtor
    whose country is unknown is asked: asking costs one question, not asking may break the law."""
    if not country:
        return True
    return country.upper() in _EXPLICIT_CONSENT_FOR_HEALTH_DATA
