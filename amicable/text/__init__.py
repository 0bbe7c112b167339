"""The text layer: what we keep of what people write, and what it tells us about them.

`redaction` takes out what must never be stored or forwarded (card numbers, IBANs, national
numbers, other people's e-mail addresses and numbers, passwords and codes) with Presidio;
`care` recognises the words that mean a person needs a person (bereavement, illness, crisis,
abuse, gambling, suicidal intent) with spaCy's Matcher on lemmas. Both run on the same spaCy
pipelines (`pipelines`), built from spaCy's language data and spacy-lookups-data's lemma
tables: nothing is downloaded at run time.
"""
