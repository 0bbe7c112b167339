"""The rules every outbound message and call passes before it leaves, configured per country
(`policies/compliance/<CC>.yml`), and the data-protection rules of conversations.

Each rule names its source in ../shared/research/compliance.md; low-confidence rows there are
settings in the country files, not constants here.
"""

from amicable.compliance.data_protection import vulnerability_needs_consent

__all__ = ["vulnerability_needs_consent"]
