#!/usr/bin/env python3
"""Generate the blind corpus of email replies (casesNN.eml + expected.yml).

Written from the brief only, without looking at the extractor under test.
Uses only the Python standard library (email package). Run:

    python make_cases.py

It rewrites every casesNN.eml and expected.yml in this folder, then checks
that every file parses back and that the expected text is what sits at the
top of the decoded body.
"""
from __future__ import annotations

import hashlib
import html as htmlmod
import re
import sys
import textwrap
import uuid
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent

COLLECT = "collect+abcdefghijklmnopqrstuvwx@amicable.example"
TO = f"Brightwater Energy <{COLLECT}>"
BWA = f"Brightwater Energy <{COLLECT}>"  # as it appears in attribution lines
REF = "+++090/9337/55493+++"
NBSP = "\u00a0"

CEST = timezone(timedelta(hours=2))
BST = timezone(timedelta(hours=1))


def dt(s: str, tz=CEST) -> datetime:
    return datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)


# --------------------------------------------------------------------------
# The reminder that people are replying to
# --------------------------------------------------------------------------

SUBJECT = {
    "en": "Payment reminder: invoice {inv}",
    "fr": "Rappel de paiement : facture {inv}",
    "nl": "Betalingsherinnering: factuur {inv}",
}

REM = {
    "en": [
        "Dear {name},",
        "Our records show that invoice {inv} of 2 May 2024 for {amount} is still unpaid.",
        "Please transfer the amount to BE71 0961 2345 6769 with the structured reference {ref} before 17 June 2024.",
        "If you have already paid, you can ignore this message or simply reply to let us know. "
        "If you cannot pay the full amount, reply to this email and we will look for a solution together.",
        "Kind regards,\nBrightwater Energy\nCustomer Accounts",
    ],
    "fr": [
        "Bonjour {name},",
        "Sauf erreur de notre part, la facture {inv} du 2 mai 2024 d'un montant de {amount} reste impayée à ce jour.",
        "Nous vous remercions de bien vouloir virer ce montant sur le compte BE71 0961 2345 6769 avec la communication structurée {ref} avant le 17 juin 2024.",
        "Si vous avez déjà payé, merci de ne pas tenir compte de ce message ou de nous le signaler en répondant à cet e-mail. "
        "Si vous ne pouvez pas payer la totalité du montant, répondez-nous et nous chercherons une solution ensemble.",
        "Cordialement,\nBrightwater Energy\nService Clients",
    ],
    "nl": [
        "Beste {name},",
        "Volgens onze gegevens is factuur {inv} van 2 mei 2024 voor een bedrag van {amount} nog niet betaald.",
        "Gelieve het bedrag over te schrijven op rekening BE71 0961 2345 6769 met de gestructureerde mededeling {ref} vóór 17 juni 2024.",
        "Heeft u intussen al betaald? Dan mag u dit bericht als onbestaande beschouwen of het ons laten weten door op deze e-mail te antwoorden. "
        "Kunt u het volledige bedrag niet in één keer betalen, antwoord dan op deze e-mail en we zoeken samen naar een oplossing.",
        "Met vriendelijke groet,\nBrightwater Energy\nKlantenservice",
    ],
}


class Rem:
    def __init__(self, lang, name, inv, amount, ref=REF):
        self.lang, self.name, self.inv, self.amount, self.ref = lang, name, inv, amount, ref

    @property
    def subject(self):
        return SUBJECT[self.lang].format(inv=self.inv)

    def paras(self):
        return [p.format(name=self.name, inv=self.inv, amount=self.amount, ref=self.ref)
                for p in REM[self.lang]]

    def text(self, width=None):
        out = []
        for p in self.paras():
            if width:
                p = "\n".join(textwrap.fill(line, width) for line in p.split("\n"))
            out.append(p)
        return "\n\n".join(out)

    def html(self, tag="p"):
        return "\n".join(
            f"<{tag}>" + "<br>".join(esc(line) for line in p.split("\n")) + f"</{tag}>"
            for p in self.paras())

    def mso_html(self):
        out = []
        for p in self.paras():
            out.append('<p class="MsoNormal">' + "<br>\n".join(esc(l) for l in p.split("\n"))
                       + "<o:p></o:p></p>")
            out.append('<p class="MsoNormal"><o:p>&nbsp;</o:p></p>')
        return "\n".join(out)


# --------------------------------------------------------------------------
# Small text helpers
# --------------------------------------------------------------------------

def esc(s: str) -> str:
    return htmlmod.escape(s, quote=False)


def gt(text: str, prefix="> ", empty=">") -> str:
    """Quote every line with '>' (empty lines get `empty`)."""
    return "\n".join(prefix + line if line.strip() else empty for line in text.split("\n"))


def indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.split("\n"))


def top(new: str, sig: str | None = None, sep: str = "\n\n") -> str:
    return new if not sig else new + sep + sig


def norm(s: str) -> str:
    """Whitespace normalisation used for `expected`."""
    s = s.replace("\r\n", "\n").strip()
    paras = [p for p in re.split(r"\n[ \t\u00a0]*\n", s) if p.strip()]
    return "\n\n".join(" ".join(p.split()) for p in paras)


def lines_divs(text: str, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    out = []
    for line in text.split("\n"):
        out.append(f"<div{c}><br></div>" if not line.strip() else f"<div{c}>{esc(line)}</div>")
    return "\n".join(out)


def header_html(lines: list[str]) -> str:
    out = []
    for line in lines:
        k, v = line.split(":", 1)
        out.append(f"<b>{esc(k)}:</b>{esc(v)}")
    return "<br>\n".join(out)


# --------------------------------------------------------------------------
# HTML builders, one per client family
# --------------------------------------------------------------------------

def gmail_html(top_text, attrib, quoted_html, sig_block=None):
    inner = lines_divs(top_text)
    if sig_block:
        inner += ('\n<br clear="all"><div><br></div><span class="gmail_signature_prefix">-- </span><br>\n'
                  '<div dir="ltr" class="gmail_signature" data-smartmail="gmail_signature">'
                  + "<br>".join(esc(l) for l in sig_block.split("\n")) + "</div>")
    return (f'<div dir="ltr">{inner}</div><br>\n'
            f'<div class="gmail_quote"><div dir="ltr" class="gmail_attr">{esc(attrib)}<br></div>\n'
            '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
            'border-left:1px solid rgb(204,204,204);padding-left:1ex">\n'
            f'{quoted_html}\n</blockquote></div>\n')


MSO_HEAD = (
    '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" '
    'xmlns="http://www.w3.org/TR/REC-html40">\n'
    '<head>\n<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
    '<meta name="Generator" content="Microsoft Word 15 (filtered medium)">\n'
    '<style><!--\n/* Font Definitions */\n@font-face\n\t{{font-family:"Cambria Math";}}\n'
    '@font-face\n\t{{font-family:Calibri;}}\n/* Style Definitions */\n'
    'p.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{{margin:0cm;\n\tfont-size:11.0pt;\n\tfont-family:"Calibri",sans-serif;}}\n'
    'span.EmailStyle18\n\t{{mso-style-type:personal-reply;\n\tfont-family:"Calibri",sans-serif;\n\tcolor:windowtext;}}\n'
    '@page WordSection1\n\t{{size:612.0pt 792.0pt;\n\tmargin:72.0pt 72.0pt 72.0pt 72.0pt;}}\n'
    'div.WordSection1\n\t{{page:WordSection1;}}\n--></style>\n</head>\n'
)


def outlook_html(top_text, headers, rem: Rem, lang_attr="EN-GB", charset="utf-8"):
    ps = []
    for line in top_text.split("\n"):
        if line.strip():
            ps.append(f'<p class="MsoNormal">{esc(line)}<o:p></o:p></p>')
        else:
            ps.append('<p class="MsoNormal"><o:p>&nbsp;</o:p></p>')
    return (MSO_HEAD.format(charset=charset)
            + f'<body lang="{lang_attr}" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">\n'
            '<div class="WordSection1">\n' + "\n".join(ps) + "\n"
            '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n'
            '<div>\n<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">\n'
            f'<p class="MsoNormal">{header_html(headers)}<o:p></o:p></p>\n'
            '</div>\n</div>\n<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n'
            + rem.mso_html() + "\n</div>\n</body>\n</html>\n")


def owa_html(top_text, headers, rem: Rem):
    style = 'style="font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);"'
    divs = []
    for line in top_text.split("\n"):
        if line.strip():
            divs.append(f'<div class="elementToProof" {style}>\n{esc(line)}</div>')
        else:
            divs.append(f'<div class="elementToProof" {style}>\n<br>\n</div>')
    return ('<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            '<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>\n'
            '</head>\n<body dir="ltr">\n' + "\n".join(divs) + "\n"
            '<div id="appendonsend"></div>\n'
            '<hr style="display:inline-block;width:98%" tabindex="-1">\n'
            '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">'
            f'{header_html(headers)}</font>\n<div>&nbsp;</div>\n</div>\n'
            '<div>\n' + rem.html() + '\n</div>\n</body>\n</html>\n')


def apple_html(top_text, attrib, rem: Rem):
    return ('<html aria-label="message body"><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
            '<body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">\n'
            + lines_divs(top_text) + '\n<div><br id="lineBreakAtBeginningOfMessage">\n'
            f'<div><br><blockquote type="cite"><div>{esc(attrib)}</div><br class="Apple-interchange-newline">\n'
            '<div><div>\n' + rem.html(tag="div") + '\n</div></div></blockquote></div><br></div>\n</body></html>\n')


def tb_html(new_text, sig_lines, attrib, rem: Rem, mid, charset="UTF-8"):
    paras = []
    for p in re.split(r"\n\s*\n", new_text):
        body = "<br>\n".join(esc(l) for l in p.split("\n"))
        wrapped = textwrap.fill(body, 72, initial_indent="    <p>", subsequent_indent="      ",
                                break_long_words=False, break_on_hyphens=False)
        paras.append(wrapped + "</p>")
    sig = '    <div class="moz-signature">-- <br>\n      ' + "<br>\n      ".join(esc(l) for l in sig_lines) + "</div>" if sig_lines else ""
    return ('<!DOCTYPE html>\n<html>\n  <head>\n'
            f'    <meta http-equiv="Content-Type" content="text/html; charset={charset}">\n  </head>\n  <body>\n'
            + "\n".join(paras) + "\n" + (sig + "\n" if sig else "")
            + f'    <div class="moz-cite-prefix">{esc(attrib)}<br>\n    </div>\n'
            f'    <blockquote type="cite" cite="mid:{mid[1:-1]}">\n' + indent(rem.html(), "      ")
            + '\n    </blockquote>\n  </body>\n</html>\n')


# --------------------------------------------------------------------------
# Message-IDs
# --------------------------------------------------------------------------

def make_mid(n: int, kind: str, domain: str) -> str:
    h = hashlib.sha1(f"blind-case-{n}".encode()).hexdigest()
    u = uuid.UUID(h[:32])
    if kind == "gmail":
        return f"<CA{h[:6].upper()}+{h[6:20]}{h[20:30].upper()}=Q@mail.gmail.com>"
    if kind == "outlook":
        return (f"<DB9PR07MB{h[:4].upper()}{h[4:10].upper()}F{h[10:14].upper()}"
                f"{h[14:22].upper()}@DB9PR07MB{h[22:26].upper()}.eurprd07.prod.outlook.com>")
    if kind == "apple":
        return f"<{str(u).upper()}@{domain}>"
    if kind == "tb":
        return f"<{u}@{domain}>"
    if kind == "yahoo":
        return f"<{int(h[:12], 16)}.{int(h[12:20], 16)}@mail.yahoo.com>"
    if kind == "samsung":
        return f"<{h[:8]}-{h[8:12]}.{h[12:20]}@{domain}>"
    return f"<{h[:24]}@{domain}>"


def rem_mid(n: int, inv: str) -> str:
    return f"<reminder.{inv.lower()}.{n:02d}@amicable.example>"


# --------------------------------------------------------------------------
# Case registry
# --------------------------------------------------------------------------

CASES: list[dict] = []


def add(n, lang, client, frm, rem: Rem, date, *, new, plain=None, html=None,
        charset="utf-8", cte="8bit", hard=False, note="", expected=None,
        mid_kind="other", subject_prefix="Re: ", subject=None, extra=(),
        flowed=False, in_reply_to=None, references=None):
    assert len(CASES) + 1 == n, (n, len(CASES))
    domain = frm.rsplit("@", 1)[1].rstrip(">")
    CASES.append(dict(
        n=n, lang=lang, client=client, frm=frm, rem=rem, date=date, new=new,
        plain=plain, html=html, charset=charset, cte=cte, hard=hard, note=note,
        expected=norm(expected if expected is not None else new),
        mid=make_mid(n, mid_kind, domain),
        subject=subject or (subject_prefix + rem.subject),
        extra=list(extra), flowed=flowed,
        in_reply_to=in_reply_to or rem_mid(n, rem.inv),
        references=references or rem_mid(n, rem.inv),
    ))


def outlook_hdr_en(rem: Rem, to: str, sent="Monday, June 3, 2024 9:12 AM", cc=None):
    h = [f"From: {BWA}", f"Sent: {sent}", f"To: {to}"]
    if cc:
        h.append(f"Cc: {cc}")
    h.append(f"Subject: {rem.subject}")
    return h


def outlook_hdr_fr(rem: Rem, to: str, sent="lundi 3 juin 2024 09:12", sp=" ", cc=None):
    h = [f"De{sp}: {BWA}", f"Envoyé{sp}: {sent}", f"À{sp}: {to}"]
    if cc:
        h.append(f"Cc{sp}: {cc}")
    h.append(f"Objet{sp}: {rem.subject}")
    return h


def outlook_hdr_nl(rem: Rem, to: str, sent="maandag 3 juni 2024 09:12", cc=None):
    h = [f"Van: {BWA}", f"Verzonden: {sent}", f"Aan: {to}"]
    if cc:
        h.append(f"CC: {cc}")
    h.append(f"Onderwerp: {rem.subject}")
    return h


XM_OUTLOOK = ("X-Mailer", "Microsoft Outlook 16.0")
XM_IPHONE = ("X-Mailer", "iPhone Mail (21F90)")
XM_IPAD = ("X-Mailer", "iPad Mail (21F90)")
XM_MAC = ("X-Mailer", "Apple Mail (2.3774.600.62)")
UA_TB = ("User-Agent", "Mozilla Thunderbird")
UA_MUTT = ("User-Agent", "Mutt/2.2.12 (2023-09-09)")

# ==========================================================================
# ENGLISH (01-20)
# ==========================================================================

# 01 Gmail web, multipart
r = Rem("en", "Lou Martin", "INV-2024-0193", "€84.20")
new = "Hi,\n\nI paid this yesterday. Please check again."
sig = "Kind regards,\nLou Martin"
att = f"On Mon, 3 Jun 2024 at 09:12, {BWA} wrote:"
add(1, "en", "Gmail web (multipart/alternative)", "Lou Martin <lou.martin@mail.example>", r,
    dt("2024-06-04 08:03:11"), new=new, mid_kind="gmail",
    plain=f"{top(new, sig)}\n\n{att}\n\n{gt(r.text(72))}\n",
    html=gmail_html(top(new, sig), att, r.html()),
    note="Baseline Gmail reply: greeting kept, 'Kind regards' + name removed, '>' quote with 'On ... wrote:'.")

# 02 Gmail mobile, one word
r = Rem("en", "Ben Carter", "INV-2024-0201", "€57.30")
new = "ok"
att = f"On Mon, 3 Jun 2024, 09:12 Brightwater Energy, <{COLLECT}> wrote:"
add(2, "en", "Gmail mobile app, Android (multipart/alternative)", "Ben Carter <ben.carter@mail.example>", r,
    dt("2024-06-03 12:47:02"), new=new, mid_kind="gmail",
    plain=f"{new}\n\n{att}\n\n{gt(r.text())}\n",
    html=f'<div dir="auto">{new}</div><br>\n<div class="gmail_quote"><div dir="ltr" class="gmail_attr">{esc(att)}<br></div>'
         f'<blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">\n{r.html()}\n</blockquote></div>\n',
    note="Very short reply, a single lower-case word. Gmail mobile attribution puts a comma after the name.")

# 03 Outlook desktop plain text, -----Original Message-----, company signature + disclaimer
r = Rem("en", "Northgate Logistics Ltd", "INV-2024-0207", "€1,245.00")
new = ("Hello,\n\n"
       "We received your reminder regarding invoice INV-2024-0207. Our accounts payable department processed "
       "the payment of €1,245.00 on 28 May 2024, so it should already be on your account.\n\n"
       "Could you please check on your side and confirm that the invoice is settled?")
sig = ("Best regards,\n\nSarah O'Neill\nFinance Manager | Northgate Logistics Ltd\n"
       "T: +44 20 7946 0321 | M: +44 7700 900123\nwww.northgate-logistics.example\n\n"
       "This e-mail and any attachments are confidential and intended solely for the addressee. "
       "If you have received this e-mail in error, please notify the sender immediately and delete it. "
       "Northgate Logistics Ltd is registered in England and Wales under number 01234567.")
hdr = ["-----Original Message-----", f"From: {BWA} ", "Sent: Monday, June 3, 2024 9:12 AM",
       "To: Accounts Payable <ap@northgate-logistics.example>", f"Subject: {r.subject}"]
add(3, "en", "Outlook desktop, plain-text format (-----Original Message-----)",
    "Sarah O'Neill <s.oneill@northgate-logistics.example>", r, dt("2024-06-03 15:22:40", BST),
    new=new, mid_kind="outlook", subject_prefix="RE: ", cte="quoted-printable", extra=[XM_OUTLOOK],
    plain=f"{top(new, sig)}\n\n" + "\n".join(hdr) + f"\n\n{r.text()}\n",
    note="Long lines (quoted-printable soft breaks). Multi-line company signature and a legal disclaimer "
         "after 'Best regards,'. Original quoted WITHOUT '>' below '-----Original Message-----'.")

# 04 Outlook web, HTML only, divRplyFwdMsg
r = Rem("en", "Priya Shah", "INV-2024-0215", "€84.20")
new = f"I have already paid € 84,20 on 10/06/2024 with reference {REF}.\nPlease update your records."
sig = "Regards,\nPriya Shah"
add(4, "en", "Outlook on the web (HTML only, divRplyFwdMsg)", "Priya Shah <priya.shah@outlook.example>", r,
    dt("2024-06-10 19:05:33"), new=new, mid_kind="outlook", subject_prefix="RE: ", cte="quoted-printable",
    html=owa_html(top(new, sig), outlook_hdr_en(r, "Priya Shah <priya.shah@outlook.example>",
                                                "Monday, June 3, 2024 09:12"), r),
    note="HTML-only. Reply contains a date, an amount with a space after the euro sign and a structured "
         "reference; the two lines are separate <div>s of one paragraph.")

# 05 iPhone Mail, lower case
r = Rem("en", "Kevin O'Brien", "INV-2024-0222", "€132.10")
new = "Will pay on friday when i get paid"
att = f"On 3 Jun 2024, at 09:12, {BWA} wrote:"
add(5, "en", "Apple Mail iPhone (plain text)", "Kevin O'Brien <kobrien@icloud.example>", r,
    dt("2024-06-03 21:44:09", BST), new=new, mid_kind="apple", cte="quoted-printable", extra=[XM_IPHONE],
    plain=f"{new}\n\nSent from my iPhone\n\n{gt('' + att + chr(10) + chr(10) + r.text(), empty='> ')}\n",
    note="iOS Mail: 'Sent from my iPhone', attribution itself is '>'-quoted. No final full stop, lower-case 'i'.")

# 06 Apple Mail macOS, multipart, line break inside a sentence
r = Rem("en", "Tom Reynolds", "INV-2024-0230", "€96.45")
new = ("Hi there,\n\nI think there is a mistake. I closed my account with Brightwater\n"
       "in March and the final bill was already paid by direct debit.\n\n"
       "Can you send me a statement of my account?")
sig = "Cheers,\nTom"
att = f"On 3 Jun 2024, at 09:12, {BWA} wrote:"
add(6, "en", "Apple Mail macOS (multipart/alternative)", "Tom Reynolds <tom.reynolds@me.example>", r,
    dt("2024-06-03 10:31:57"), new=new, mid_kind="apple", cte="quoted-printable", extra=[XM_MAC],
    plain=f"{top(new, sig)}\n\n{gt(att + chr(10) + chr(10) + r.text(), empty='> ')}\n",
    html=apple_html(top(new, sig), att, r),
    note="Multi-paragraph; a hard line break in the middle of a sentence (joined by a space in expected). "
         "'Cheers,' sign-off.")

# 07 Thunderbird, format=flowed, '-- ' signature delimiter
r = Rem("en", "Peter Jansen", "INV-2024-0238", "€64.00")
new = ("Hello,\n\nplease send me a copy of the invoice, I cannot find it in my \n"
       "mailbox. I will pay as soon as I have it.")
sig = "-- \nPeter Jansen\nKeizersgracht 12\n1015 CS Amsterdam"
att = "On 03/06/2024 09:12, Brightwater Energy wrote:"
add(7, "en", "Thunderbird (plain text, format=flowed)", "Peter Jansen <peter.jansen@posteo.example>", r,
    dt("2024-06-03 18:02:26"), new=new, mid_kind="tb", extra=[UA_TB], flowed=True,
    plain=f"{top(new, sig)}\n\n{att}\n{gt(r.text(72))}\n",
    note="format=flowed soft line break (trailing space) inside a sentence; signature introduced by the "
         "standard '-- ' delimiter with no sign-off word; Thunderbird attribution without address.")

# 08 Yahoo Mail Android
r = Rem("en", "Jade Thompson", "INV-2024-0244", "€126.75")
new = "Can I pay in 3 instalments? I lost my job last month and can't pay the full amount of €126.75 right now."
sig = "Sent from Yahoo Mail on Android"
att = f"  On Mon, Jun 3, 2024 at 9:12 AM, Brightwater Energy<{COLLECT}> wrote:   "
add(8, "en", "Yahoo Mail Android app (plain text)", "Jade Thompson <jade_thompson88@yahoo.example>", r,
    dt("2024-06-03 23:10:45", BST), new=new, mid_kind="yahoo",
    plain=f"{top(new, sig)}\n \n{att}\n{indent(r.text(), '   ')}\n",
    note="Yahoo mobile: 'Sent from Yahoo Mail on Android', indented attribution, quote indented with spaces "
         "instead of '>'.")

# 09 Samsung Email
r = Rem("en", "Chris Evans", "INV-2024-0311", "€45.90")
new = "Done. Paid this morning."
hdr = ["-------- Original message --------", f"From: {BWA} ", "Date: 03/06/2024 09:12 (GMT+01:00) ",
       "To: chris.evans@mail.example ", f"Subject: {r.subject} "]
add(9, "en", "Samsung Email (plain text)", "Chris Evans <chris.evans@mail.example>", r,
    dt("2024-06-04 08:15:02", BST), new=new, mid_kind="samsung",
    plain=f"{new}\n\n\n\nSent from my Galaxy\n\n\n" + "\n".join(hdr) + f"\n\n{r.text()}\n",
    note="Samsung: several blank lines, 'Sent from my Galaxy', '-------- Original message --------' block, "
         "quote without '>'.")

# 10 mutt, lower case, no signature
r = Rem("en", "Dan Miller", "INV-2024-0256", "€210.00")
new = ("i dont owe you anything, i never had a contract with brightwater energy.\n"
       "stop emailing me or i will contact my lawyer")
att = "On Mon, Jun 03, 2024 at 09:12:41AM +0200, Brightwater Energy wrote:"
add(10, "en", "mutt (plain text, '>' quote)", "Dan Miller <dan@miller-home.example>", r,
    dt("2024-06-03 09:40:12"), new=new, extra=[UA_MUTT, ("Content-Disposition", "inline")],
    plain=f"{new}\n\n{att}\n{gt(r.text(72))}\n",
    note="Angry lower-case reply with typos, line break between sentences, no signature at all.")

# 11 Gmail web, HARD: name + phone without sign-off
r = Rem("en", "David Clarke", "INV-2024-0261", "€88.60")
new = ("I transferred the full amount this morning from my wife's account, so the name on the "
       "transfer will be Emma Clarke.")
sig = "David Clarke\n07700 900456"
att_p = f"On Tue, Jun 4, 2024 at 10:02 AM Brightwater Energy <\n{COLLECT}> wrote:"
att_h = f"On Tue, Jun 4, 2024 at 10:02 AM {BWA} wrote:"
add(11, "en", "Gmail web (multipart/alternative)", "David Clarke <david.clarke@mail.example>", r,
    dt("2024-06-04 11:26:50", BST), new=new, mid_kind="gmail", hard=True,
    plain=f"{top(new, sig)}\n\n{att_p}\n\n{gt(r.text(72))}\n",
    html=gmail_html(top(new, sig), att_h, r.html()),
    note="HARD: signature is just a name and a phone number after a blank line, no sign-off word. A careful "
         "reader treats 'David Clarke / 07700 900456' as signature. The new text itself mentions another "
         "person's name. Gmail's plain part wraps the attribution line over two lines.")

# 12 Gmail, HTML only, gmail_signature, 'Note:' colon
r = Rem("en", "Kowalski Design", "INV-2024-0266", "€318.00")
new = ("Hello,\n\nNote: the invoice was addressed to my previous company. The new company number is "
       "BE 0712.345.678, please re-issue the invoice to that entity.")
att = f"On Mon, 3 Jun 2024 at 09:12, {BWA} wrote:"
add(12, "en", "Gmail web (HTML only, gmail_signature + gmail_quote)", "Anna Kowalski <anna@kowalski-design.example>", r,
    dt("2024-06-05 14:02:18"), new=new, mid_kind="gmail",
    html=gmail_html(top(new, "Regards,"), att, r.html(),
                    sig_block="Anna Kowalski\nOffice manager | Kowalski Design\n+32 2 555 01 23"),
    note="HTML-only. Reply line starts with 'Note:' (colon, not a header). 'Regards,' then a Gmail "
         "signature block ('-- ' prefix, class gmail_signature).")

# 13 Outlook desktop multipart, starts with 'On 31 May', colon, header block without separator
r = Rem("en", "Raj Patel", "INV-2024-0254", "€600.00")
new = ("Good afternoon,\n\nOn 31 May I agreed a payment plan with your colleague on the phone: € 50,00 per "
       "month starting 1 July. Please put the reminders on hold.")
sig = "Kind regards,\n\nRaj Patel\nSenior Buyer\nPatel & Sons Trading\nMob: +44 7700 900789"
hdr = outlook_hdr_en(r, "Raj Patel <raj.patel@patel-trading.example>", cc="accounts@patel-trading.example")
add(13, "en", "Outlook desktop (multipart/alternative, From/Sent/To/Cc/Subject block)",
    "Raj Patel <raj.patel@patel-trading.example>", r, dt("2024-06-03 14:55:03", BST),
    new=new, mid_kind="outlook", subject_prefix="RE: ", cte="quoted-printable", extra=[XM_OUTLOOK],
    plain=f"{top(new, sig)}\n\n" + "\n".join(hdr) + f"\n\n{r.text()}\n",
    html=outlook_html(top(new, sig), hdr, r),
    note="New text begins with 'On 31 May ...' (must not be taken for an attribution) and contains a colon "
         "and an amount. Quote has no '>' and no separator line, just the From/Sent/To/Cc/Subject block.")

# 14 Outlook for Android
r = Rem("en", "Lisa Grant", "INV-2024-0270", "€74.15")
new = "Paid"
hdr = ["________________________________", f"From: {BWA}", "Sent: Monday, June 3, 2024 9:12:41 AM",
       "To: lisa.grant@outlook.example <lisa.grant@outlook.example>", f"Subject: {r.subject}"]
add(14, "en", "Outlook for Android (plain text)", "Lisa Grant <lisa.grant@outlook.example>", r,
    dt("2024-06-04 07:41:02", BST), new=new, mid_kind="outlook", subject_prefix="RE: ",
    plain=f"{new}\n\nGet Outlook for Android<https://aka.ms/AAb9ysg>\n" + "\n".join(hdr) + f"\n\n{r.text()}\n",
    note="One word. 'Get Outlook for Android<link>' footer followed by an underscore rule and header block.")

# 15 Gmail web, reply to a forwarded reminder (nested 'Forwarded message')
r = Rem("en", "Lou Martin", "INV-2024-0275", "€84.20")
new = ("Hello,\n\nI'm Lou's son and I handle her bills. The invoice was paid on 5 June from my account "
       "(BE68 5390 0754 7034), please check.")
sig = "Regards,\nNathan Martin"
fwd_mid = "<CAJx7Rf0Qm2u9B1kq3vLw8c=N5sQ@mail.gmail.com>"
att = "On Tue, 4 Jun 2024 at 18:30, Lou Martin <lou.martin@mail.example> wrote:"
fwd = ("Nathan can you look at this?\n\n---------- Forwarded message ---------\n"
       f"From: {BWA}\nDate: Mon, 3 Jun 2024 at 09:12\nSubject: {r.subject}\n"
       "To: <lou.martin@mail.example>\n\n\n" + r.text(72))
fwd_html = ('<div dir="ltr">Nathan can you look at this?<br><br><div class="gmail_quote">'
            '<div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>\n'
            f'From: <strong class="gmail_sendername" dir="auto">Brightwater Energy</strong> <span dir="auto">&lt;{COLLECT}&gt;</span><br>\n'
            f'Date: Mon, 3 Jun 2024 at 09:12<br>\nSubject: {esc(r.subject)}<br>\nTo: &lt;lou.martin@mail.example&gt;<br></div><br><br>\n'
            + r.html() + "\n</div></div>")
add(15, "en", "Gmail web (multipart/alternative), reply to a forwarded reminder",
    "Nathan Martin <nathan.martin@mail.example>", r, dt("2024-06-05 20:14:36"), new=new, mid_kind="gmail",
    subject="Re: Fwd: " + r.subject, in_reply_to=fwd_mid, references=f"{rem_mid(15, r.inv)} {fwd_mid}",
    plain=f"{top(new, sig)}\n\n{att}\n\n{gt(fwd)}\n",
    html=gmail_html(top(new, sig), att, fwd_html),
    note="The quote is a family member's forward of the reminder, so it contains a nested "
         "'---------- Forwarded message ---------' block. Reply contains an IBAN in parentheses.")

# 16 Gmail, payment details with 'Date:'/'From account:' lines
r = Rem("en", "Marc Dubois", "INV-2024-0280", "€84.20")
new = ("Hello,\n\nPayment details:\nDate: 12/06/2024\nAmount: € 84,20\n"
       f"Reference: {REF}\nFrom account: BE68 5390 0754 7034")
sig = "Regards,\nMarc"
att = f"On Mon, 3 Jun 2024 at 09:12, {BWA} wrote:"
add(16, "en", "Gmail web (multipart/alternative)", "Marc Dubois <marc.dubois@mail.example>", r,
    dt("2024-06-12 16:48:21"), new=new, mid_kind="gmail",
    plain=f"{top(new, sig)}\n\n{att}\n\n{gt(r.text(72))}\n",
    html=gmail_html(top(new, sig), att, r.html()),
    note="The reply itself is a block of 'Key: value' lines ('Date:', 'Amount:', 'From account:') that look "
         "like a header block but are new words. The lines form one paragraph in expected.")

# 17 Thunderbird HTML only, starts with 'On Friday'
r = Rem("en", "Greg Wilson", "INV-2024-0284", "€240.00")
new = ("On Friday I will pay half of it, the rest at the end of the month. Is that ok for you?\n\n"
       "I can also set up a standing order if you prefer.")
att = "On 03/06/2024 09:12, Brightwater Energy wrote:"
add(17, "en", "Thunderbird (HTML only, moz-cite-prefix + moz-signature)", "Greg Wilson <greg.wilson@telenet.example>", r,
    dt("2024-06-03 20:17:45"), new=new, mid_kind="tb", extra=[UA_TB],
    html=tb_html(new, ["Greg Wilson", "12 Harbour Street, Ostend"], att, r, rem_mid(17, r.inv)),
    note="HTML-only. First words are 'On Friday ...' (not an attribution). HTML source lines are wrapped "
         "inside a sentence (plain whitespace, not a line break). moz-signature div with '-- '.")

# 18 Apple Mail macOS HTML only
r = Rem("en", "Hannah Lee", "INV-2024-0289", "€126.75")
new = "Hi,\n\nCould you tell me what this invoice is for? I don't recognise the amount of € 126,75."
sig = "Best,\nHannah"
att = f"On 3 Jun 2024, at 09:12, {BWA} wrote:"
add(18, "en", "Apple Mail macOS (HTML only, blockquote type=cite)", "Hannah Lee <hannah.lee@icloud.example>", r,
    dt("2024-06-03 11:03:29", BST), new=new, mid_kind="apple", cte="quoted-printable", extra=[XM_MAC],
    html=apple_html(top(new, sig), att, r),
    note="HTML-only Apple Mail; quote in <blockquote type=\"cite\">, attribution inside the blockquote.")

# 19 iPhone, HARD: custom signature name + phone, no sign-off
r = Rem("en", "Mike Brennan", "INV-2024-0293", "€158.20")
new = "I will call you tomorrow to discuss"
sig = "Mike Brennan\n+353 87 123 4567"
att = f"On 3 Jun 2024, at 09:12, {BWA} wrote:"
add(19, "en", "Apple Mail iPhone (plain text, custom signature)", "Mike Brennan <mike.brennan@eircom.example>", r,
    dt("2024-06-03 17:36:14", BST), new=new, mid_kind="apple", cte="quoted-printable", extra=[XM_IPHONE],
    hard=True, plain=f"{top(new, sig)}\n\n{gt(att + chr(10) + chr(10) + r.text(), empty='> ')}\n",
    note="HARD: the iPhone signature was replaced by a name and a phone number, with no sign-off word. "
         "A careful human keeps only the sentence.")

# 20 Outlook Express / Windows Live Mail style, iso-8859-1 quoted-printable
r = Rem("en", "Zoë Hughes", "INV-2024-0298", "EUR 312,40")
new = ("Dear Sir/Madam,\n\nAs discussed with your colleague I will pay the outstanding balance of EUR 312,40 in two\n"
       "instalments, on 15 June and 15 July.\n\nI trust this is acceptable.")
sig = "Yours faithfully,\n\nZoë Hughes"
hdr = ["----- Original Message ----- ", f'From: "Brightwater Energy" <{COLLECT}>',
       "To: <zoe.hughes@btinternet.example>", "Sent: Monday, June 03, 2024 9:12 AM",
       f"Subject: {r.subject}"]
add(20, "en", "Windows Live Mail / Outlook Express style (plain text, ISO-8859-1)",
    "Zoë Hughes <zoe.hughes@btinternet.example>", r, dt("2024-06-04 09:58:00", BST), new=new,
    charset="iso-8859-1", cte="quoted-printable", extra=[("X-Mailer", "Microsoft Windows Live Mail 16.4.3528.331")],
    plain=f"{top(new, sig)}\n\n" + "\n".join(hdr) + f"\n\n\n{gt(r.text(72))}\n",
    note="ISO-8859-1 + quoted-printable. Formal letter: line break inside a sentence, three paragraphs, "
         "'Yours faithfully,' sign-off (name with 'ë'), '----- Original Message -----' header block then '>' quote.")

# ==========================================================================
# FRENCH (21-40)
# ==========================================================================

# 21 Gmail web FR
r = Rem("fr", "Jean Dupont", "FA-2024-0412", "84,20 €")
new = f"Bonjour,\n\nJ'ai effectué le virement hier soir. Pouvez-vous me confirmer la bonne réception{NBSP}?"
sig = "Cordialement,\nJean Dupont"
att = f"Le lun. 3 juin 2024 à 09:12, {BWA} a écrit{NBSP}:"
add(21, "fr", "Gmail web, French UI (multipart/alternative)", "Jean Dupont <jean.dupont@mail.example>", r,
    dt("2024-06-04 07:52:36"), new=new, mid_kind="gmail",
    plain=f"{top(new, sig)}\n\n{att}\n\n{gt(r.text(72))}\n",
    html=gmail_html(top(new, sig), att, r.html()),
    note="French typography: no-break space before '?' (normalised to a plain space in expected) and "
         "before ':' in the 'a écrit :' attribution.")

# 22 iPhone FR, 'Merci'
r = Rem("fr", "Camille Girard", "FA-2024-0418", "57,30 €")
new = "Merci"
att = f"Le 3 juin 2024 à 09:12, {BWA} a écrit :"
add(22, "fr", "Apple Mail iPhone, French (plain text)", "Camille Girard <camille.girard@icloud.example>", r,
    dt("2024-06-03 09:25:48"), new=new, mid_kind="apple", cte="quoted-printable", extra=[XM_IPHONE],
    plain=f"{new}\n\nEnvoyé de mon iPhone\n\n{gt(att + chr(10) + chr(10) + r.text(), empty='> ')}\n",
    note="One-word reply that is also a common sign-off word: here it IS the message. 'Envoyé de mon iPhone'.")

# 23 Outlook desktop FR multipart, NBSP header labels, signature + disclaimer
r = Rem("fr", "Menuiserie Dubois SRL", "FA-2024-0398", f"1{NBSP}245,00 €")
new = ("Bonjour,\n\nNous avons bien reçu votre rappel. La facture FA-2024-0398 a été payée le 30 mai 2024 par "
       f"virement, pour un montant de 1{NBSP}245,00 €.\n\n"
       f"Pourriez-vous vérifier de votre côté et nous confirmer que le dossier est clôturé{NBSP}?")
sig = ("Bien cordialement,\n\nValérie Dubois\nResponsable administrative\nMenuiserie Dubois SRL\n"
       f"Tél.{NBSP}: +32 81 22 33 44\nwww.menuiserie-dubois.example\n\n"
       "Ce message et ses pièces jointes sont confidentiels et destinés exclusivement à leurs destinataires. "
       "Si vous avez reçu ce message par erreur, merci d'en avertir l'expéditeur et de le supprimer.")
hdr = outlook_hdr_fr(r, "Valérie Dubois <v.dubois@menuiserie-dubois.example>", sp=NBSP)
add(23, "fr", "Outlook desktop, French (multipart/alternative, De/Envoyé/À/Objet block)",
    "Valérie Dubois <v.dubois@menuiserie-dubois.example>", r, dt("2024-06-03 16:08:19"), new=new,
    mid_kind="outlook", subject_prefix="RE: ", cte="quoted-printable", extra=[XM_OUTLOOK],
    plain=f"{top(new, sig)}\n\n" + "\n".join(hdr) + f"\n\n{r.text()}\n",
    html=outlook_html(top(new, sig), hdr, r, lang_attr="FR-BE"),
    note="French Outlook header labels use a no-break space before the colon ('De\u00a0:', 'Objet\u00a0:'). "
         "Amount with a no-break space as thousands separator. Signature with title, phone and disclaimer.")

# 24 Outlook web FR, HTML only
r = Rem("fr", "Sophie Lambert", "FA-2024-0423", "312,90 €")
new = ("Bonjour,\n\nJe conteste cette facture : le compteur a été relevé le 15/04/2024 et la consommation "
       "indiquée est beaucoup trop élevée.\n\nMerci de me recontacter au plus vite.")
sig = "Bien à vous,\nSophie Lambert"
add(24, "fr", "Outlook on the web, French (HTML only, divRplyFwdMsg)", "Sophie Lambert <sophie.lambert@hotmail.example>", r,
    dt("2024-06-03 13:30:02"), new=new, mid_kind="outlook", subject_prefix="RE: ", cte="quoted-printable",
    html=owa_html(top(new, sig), outlook_hdr_fr(r, "Sophie Lambert <sophie.lambert@hotmail.example>"), r),
    note="HTML-only. Dispute containing a colon and a date. Last paragraph starts with 'Merci' but is a "
         "request, not a sign-off; 'Bien à vous,' is the sign-off.")

# 25 Samsung FR
r = Rem("fr", "Kevin Lemoine", "FA-2024-0427", "64,00 €")
new = "Ok je paye demain"
hdr = ["-------- Message d'origine --------", f"De : {BWA} ", "Date : 03/06/2024 09:12 (GMT+01:00) ",
       "À : kevin.lemoine@mail.example ", f"Objet : {r.subject} "]
add(25, "fr", "Samsung Email, French (plain text)", "Kevin Lemoine <kevin.lemoine@mail.example>", r,
    dt("2024-06-03 19:21:55"), new=new, mid_kind="samsung",
    plain=f"{new}\n\n\n\nEnvoyé depuis mon smartphone Samsung Galaxy.\n\n\n" + "\n".join(hdr) + f"\n\n{r.text()}\n",
    note="Samsung French footer and '-------- Message d'origine --------' block, quote without '>'.")

# 26 Yahoo FR
r = Rem("fr", "Nathalie Roussel", "FA-2024-0430", "92,35 €")
new = "Bonjour, je vous ai déjà envoyé la preuve de paiement le 20 mai.\nMerci de vérifier."
att = f"  Le lun., juin 3, 2024 à 9:12, Brightwater Energy<{COLLECT}> a écrit :   "
add(26, "fr", "Yahoo Mail Android app, French (plain text)", "Nathalie Roussel <nat.roussel@yahoo.example>", r,
    dt("2024-06-03 22:04:37"), new=new, mid_kind="yahoo",
    plain=f"{new}\n\nEnvoyé depuis Yahoo Mail pour Android\n \n{att}\n{indent(r.text(), '   ')}\n",
    note="Second line 'Merci de vérifier.' is part of the message (a request), not a sign-off. Yahoo "
         "footer and space-indented quote.")

# 27 Thunderbird FR, ISO-8859-1, lower case typos
r = Rem("fr", "Sylvie Marchal", "FA-2024-0433", "EUR 84,20")
new = "bonjour\njai deja payé cette facture le 28 mai , regarder bien vos compte svp merci"
att = "Le 03/06/2024 à 09:12, Brightwater Energy a écrit :"
add(27, "fr", "Thunderbird, French (plain text, ISO-8859-1)", "Sylvie Marchal <sylvie.marchal@skynet.example>", r,
    dt("2024-06-03 10:12:09"), new=new, mid_kind="tb", charset="iso-8859-1", extra=[UA_TB],
    plain=f"{new}\n\n{att}\n{gt(r.text(72))}\n",
    note="ISO-8859-1, 8bit. Lower case, missing apostrophe, stray space before comma; trailing 'merci' is "
         "inside the sentence line, so it is kept.")

# 28 Gmail FR, HARD: starts with 'Le ...', name + phone signature
r = Rem("fr", "Jean-Marc Petit", "FA-2024-0437", "84,20 €")
new = "Le virement de 84,20 € est parti ce matin."
sig = "Jean-Marc Petit\n06 12 34 56 78"
att = f"Le mar. 4 juin 2024 à 10:02, {BWA} a écrit :"
add(28, "fr", "Gmail web, French (multipart/alternative)", "Jean-Marc Petit <jm.petit@mail.example>", r,
    dt("2024-06-05 08:44:30"), new=new, mid_kind="gmail", hard=True,
    plain=f"{top(new, sig)}\n\n{att}\n\n{gt(r.text(72))}\n",
    html=gmail_html(top(new, sig), att, r.html()),
    note="HARD: signature is a name and a phone number with no sign-off word. Also the reply starts with "
         "'Le ...' like a French attribution line, but it is the message.")

# 29 Outlook FR old style -----Message d'origine-----
r = Rem("fr", "Martin & Fils SPRL", "FA-2024-0441", "126,75 €")
new = ("Bonjour,\n\nSuite à votre courriel, je vous informe que le montant de 126,75 € a été réglé le "
       f"05/06/2024 avec la communication {REF}.\n\n"
       "Je reste à votre disposition pour tout complément d'information.")
sig = ("Bien cordialement,\n\nPierre Martin\nComptable - Martin & Fils SPRL\nTél. : +32 4 222 33 44\n\n"
       "Ce message et ses annexes sont confidentiels. Toute utilisation ou diffusion non autorisée est interdite.")
hdr = ["-----Message d'origine-----", f"De : Brightwater Energy [mailto:{COLLECT}] ",
       "Envoyé : lundi 3 juin 2024 09:12", "À : Comptabilité <compta@martin-fils.example>",
       f"Objet : {r.subject}"]
add(29, "fr", "Outlook desktop, French, plain text (-----Message d'origine-----)",
    "Pierre Martin <p.martin@martin-fils.example>", r, dt("2024-06-05 11:17:44"), new=new,
    mid_kind="outlook", subject_prefix="RE: ", cte="quoted-printable", extra=[XM_OUTLOOK],
    plain=f"{top(new, sig)}\n\n" + "\n".join(hdr) + f"\n\n{r.text()}\n",
    note="Old Outlook separator '-----Message d'origine-----' with '[mailto:...]'. Reply contains amount, "
         "date and structured reference. Company signature + disclaimer.")

# 30 Apple Mail macOS FR, multipart, line breaks inside sentences
r = Rem("fr", "Nadia Benali", "FA-2024-0446", "468,00 €")
new = ("Bonjour,\n\nJe suis actuellement en incapacité de travail et je ne peux pas payer\n"
       "la totalité du montant. Serait-il possible d'étaler le paiement sur\nplusieurs mois ?\n\n"
       "Je vous remercie d'avance pour votre compréhension.")
sig = "Bien à vous,\nNadia"
att = f"Le 3 juin 2024 à 09:12, {BWA} a écrit :"
add(30, "fr", "Apple Mail macOS, French (multipart/alternative)", "Nadia Benali <nadia.benali@me.example>", r,
    dt("2024-06-04 14:39:51"), new=new, mid_kind="apple", cte="quoted-printable", extra=[XM_MAC],
    plain=f"{top(new, sig)}\n\n{gt(att + chr(10) + chr(10) + r.text(), empty='> ')}\n",
    html=apple_html(top(new, sig), att, r),
    note="Multi-paragraph request for a payment plan with hard line breaks inside sentences. "
         "'Je vous remercie d'avance...' is a full sentence of the message, kept.")

# 31 Gmail FR HTML only
r = Rem("fr", "Luc Fontaine", "FA-2024-0450", "75,60 €")
new = "Bonjour,\n\nC'est réglé depuis le 7 juin, voir pièce jointe."
sig = "Cordialement\nLuc"
att = f"Le lun. 3 juin 2024 à 09:12, {BWA} a écrit{NBSP}:"
add(31, "fr", "Gmail web, French (HTML only, gmail_quote)", "Luc Fontaine <luc.fontaine@mail.example>", r,
    dt("2024-06-08 10:05:14"), new=new, mid_kind="gmail",
    html=gmail_html(top(new, sig), att, r.html()),
    note="HTML-only. 'Cordialement' without a comma on its own line, then first name.")

# 32 Outlook for Android FR
r = Rem("fr", "Julie Mercier", "FA-2024-0452", "49,99 €")
new = "Payé ce matin."
hdr = ["________________________________"] + outlook_hdr_fr(
    r, "julie.mercier@outlook.example <julie.mercier@outlook.example>", sent="lundi 3 juin 2024 09:12:41")
add(32, "fr", "Outlook for Android, French (plain text)", "Julie Mercier <julie.mercier@outlook.example>", r,
    dt("2024-06-04 08:02:27"), new=new, mid_kind="outlook", subject_prefix="RE: ",
    plain=f"{new}\n\nObtenir Outlook pour Android<https://aka.ms/AAb9ysg>\n" + "\n".join(hdr) + f"\n\n{r.text()}\n",
    note="Short reply; French 'Obtenir Outlook pour Android' footer and De/Envoyé/À/Objet block.")

# 33 Zimbra webmail FR, '----- Mail original -----'
r = Rem("fr", "M. et Mme Lefèvre", "FA-2024-0455", "143,10 €")
new = "Bonjour Madame, Monsieur,\n\nVeuillez trouver ci-joint la preuve du paiement effectué le 31/05/2024."
sig = "Salutations distinguées,\nM. et Mme Lefèvre"
hdr = ["----- Mail original -----", f'De: "Brightwater Energy" <{COLLECT}>',
       'À: "lefevre famille" <famille.lefevre@free.example>', "Envoyé: Lundi 3 Juin 2024 09:12:41",
       f"Objet: {r.subject}"]
add(33, "fr", "Zimbra webmail, French (plain text, '----- Mail original -----')",
    "Famille Lefèvre <famille.lefevre@free.example>", r, dt("2024-06-03 18:27:33"), new=new,
    extra=[("X-Mailer", "Zimbra 8.8.15_GA_4581 (ZimbraWebClient - FF126 (Linux)/8.8.15_GA_4581)")],
    plain=f"{top(new, sig)}\n\n" + "\n".join(hdr) + f"\n\n{gt(r.text(72))}\n",
    note="Less common separator '----- Mail original -----' (Zimbra, used by several French ISPs), "
         "header labels without space before the colon.")

# 34 Gmail mobile FR
r = Rem("fr", "Hugo Bernard", "FA-2024-0458", "38,50 €")
new = f"Ok merci{NBSP}!"
att = f"Le lun. 3 juin 2024, 09:12, Brightwater Energy <{COLLECT}> a écrit :"
add(34, "fr", "Gmail mobile app, French (multipart/alternative)", "Hugo Bernard <hugo.bernard@mail.example>", r,
    dt("2024-06-03 09:31:06"), new=new, mid_kind="gmail",
    plain=f"{new}\n\n{att}\n\n{gt(r.text())}\n",
    html=f'<div dir="auto">{esc(new)}</div><br>\n<div class="gmail_quote"><div dir="ltr" class="gmail_attr">{esc(att)}<br></div>'
         f'<blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">\n{r.html()}\n</blockquote></div>\n',
    note="Two-word reply ending in ' !' with a no-break space (normalised to a space).")

# 35 Orange webmail FR, starts with 'Le 12 juin', 'Cdt'
r = Rem("fr", "Alain Roux", "FA-2024-0461", "168,40 €")
new = ("Le 12 juin je recevrai mon salaire et je pourrai payer la somme de 84,20 €.\n"
       "Le reste de la dette sera réglé fin juin.")
sig = "Cdt,\nAlain Roux"
hdr = ["Message du 03/06/24 09:12", f'De : "Brightwater Energy" <{COLLECT}>',
       "A : alain.roux@orange.example", "Copie à : ", f"Objet : {r.subject}", "", r.text()]
add(35, "fr", "Orange webmail, French (plain text, '> Message du ...' block)", "Alain Roux <alain.roux@orange.example>", r,
    dt("2024-06-04 19:50:23"), new=new,
    plain=f"{top(new, sig)}\n\n{gt(chr(10).join(hdr))}\n",
    note="Both lines of the reply start with 'Le ...' like a French attribution. 'Cdt,' is the common "
         "abbreviation of 'Cordialement'. Orange webmail quotes a '> Message du ... / > De : ...' block.")

# 36 Outlook desktop FR plain, HARD: name/title/company/phone without sign-off
r = Rem("fr", "Boulangerie Moreau SRL", "FA-2024-0464", "231,80 €")
new = "Bonjour,\n\nNous avons bien reçu votre rappel, le paiement sera effectué cette semaine."
sig = "Isabelle Moreau\nAssistante administrative\nBoulangerie Moreau SRL\n+32 2 345 67 89"
hdr = outlook_hdr_fr(r, "info@boulangerie-moreau.example")
add(36, "fr", "Outlook desktop, French (plain text, De/Envoyé/À/Objet, no '>')",
    "Isabelle Moreau <isabelle@boulangerie-moreau.example>", r, dt("2024-06-04 09:03:47"), new=new,
    mid_kind="outlook", subject_prefix="RE: ", cte="quoted-printable", extra=[XM_OUTLOOK], hard=True,
    plain=f"{top(new, sig)}\n\n" + "\n".join(hdr) + f"\n\n{r.text()}\n",
    note="HARD: four-line business signature (name, job title, company, phone) with no sign-off word; a "
         "careful reader stops after the sentence.")

# 37 Thunderbird FR HTML only, ISO-8859-1, quoted-printable
r = Rem("fr", "Claire Fontaine", "FA-2024-0415", "EUR 96,10")
new = ("Bonjour,\n\nPourriez-vous m'envoyer le détail de la facture FA-2024-0415 ? Je ne comprends pas à "
       "quoi correspond le montant.")
att = "Le 03/06/2024 à 09:12, Brightwater Energy a écrit :"
add(37, "fr", "Thunderbird, French (HTML only, ISO-8859-1, moz-cite-prefix)",
    "Claire Fontaine <claire.fontaine@laposte.example>", r, dt("2024-06-03 15:58:12"), new=new,
    mid_kind="tb", charset="iso-8859-1", cte="quoted-printable", extra=[UA_TB],
    html=tb_html(new + "\n\nCordialement,\nClaire Fontaine", None, att, r, rem_mid(37, r.inv), charset="ISO-8859-1"),
    note="HTML-only in ISO-8859-1 + quoted-printable. Sign-off 'Cordialement,' + name are inside a normal "
         "<p> (no moz-signature div).")

# 38 Apple Mail FR, reply to a forwarded reminder ('Début du message réexpédié :')
r = Rem("fr", "Marc Petit", "FA-2024-0420", "84,20 €")
new = ("Bonjour,\n\nMon mari m'a transféré votre rappel. Je vous confirme que nous avons payé la facture "
       f"FA-2024-0420 le 5 juin, avec la communication {REF}.")
sig = "Cordialement,\nÉmilie Petit"
fwd_mid = "<4C1E2A77-9B0D-4F0E-8D8B-2F1A6B3C9E11@icloud.example>"
inner = ("Le 4 juin 2024 à 19:05, Marc Petit <marc.petit@icloud.example> a écrit :\n\n\n\n"
         "Début du message réexpédié :\n\n"
         f"De: {BWA}\nObjet: {r.subject}\nDate: 3 juin 2024 à 09:12:41 UTC+2\nÀ: marc.petit@icloud.example\n\n"
         + r.text())
add(38, "fr", "Apple Mail macOS, French (plain text), reply to a forwarded reminder",
    "Émilie Petit <emilie.petit@icloud.example>", r, dt("2024-06-05 21:12:30"), new=new, mid_kind="apple",
    cte="quoted-printable", extra=[XM_MAC], subject="Re: Fwd: " + r.subject,
    in_reply_to=fwd_mid, references=f"{rem_mid(38, r.inv)} {fwd_mid}",
    plain=f"{top(new, sig)}\n\n{gt(inner, empty='> ')}\n",
    note="Quote contains an Apple Mail forward ('Début du message réexpédié :') of the reminder. Sender "
         "name with a non-ASCII initial (RFC 2047 encoded From).")

# 39 iPad FR, colon/amount/date/reference
r = Rem("fr", "Thomas Renard", "FA-2024-0468", "84,20 €")
new = f"Montant payé : 84,20 € le 06/06/2024, communication {REF}."
att = f"Le 3 juin 2024 à 09:12, {BWA} a écrit :"
add(39, "fr", "Apple Mail iPad, French (plain text)", "Thomas Renard <thomas.renard@icloud.example>", r,
    dt("2024-06-06 12:20:05"), new=new, mid_kind="apple", cte="quoted-printable", extra=[XM_IPAD],
    plain=f"{new}\n\nEnvoyé de mon iPad\n\n{gt(att + chr(10) + chr(10) + r.text(), empty='> ')}\n",
    note="Single line starting 'Montant payé :' (colon, looks like a header label) with amount, date and "
         "structured reference.")

# 40 Proton Mail FR
r = Rem("fr", "Paul Henry", "FA-2024-0471", "115,00 €")
new = ("Bonjour,\n\nJe ne suis pas client chez Brightwater Energy et je n'ai jamais reçu de facture de votre "
       "part. Il doit s'agir d'une erreur d'adresse e-mail. Merci de supprimer mes coordonnées de vos fichiers.")
sig = "Salutations,\nPaul Henry"
att = f"Le lundi 3 juin 2024 à 09:12, {BWA} a écrit :"
add(40, "fr", "Proton Mail, French (plain text)", "Paul Henry <paul.henry@proton.example>", r,
    dt("2024-06-03 12:14:58"), new=new,
    plain=(f"{top(new, sig)}\n\nEnvoyé avec la messagerie sécurisée [Proton Mail](https://proton.me/mail/home).\n\n"
           f"{att}\n\n{gt(r.text(72))}\n"),
    note="Wrong-person reply. 'Salutations,' sign-off, then Proton's 'Envoyé avec la messagerie sécurisée "
         "[Proton Mail](...)' footer with a markdown link.")

# ==========================================================================
# DUTCH (41-60)
# ==========================================================================

# 41 Gmail NL, wrapped attribution
r = Rem("nl", "Jan de Vries", "F2024-0877", "€ 84,20")
new = "Goedemorgen,\n\nIk heb het bedrag gisteren overgeschreven."
sig = "Met vriendelijke groet,\nJan de Vries"
att_p = f"Op ma 3 jun 2024 om 09:12 schreef Brightwater Energy <\n{COLLECT}>:"
att_h = f"Op ma 3 jun 2024 om 09:12 schreef {BWA}:"
add(41, "nl", "Gmail web, Dutch UI (multipart/alternative)", "Jan de Vries <jan.devries@mail.example>", r,
    dt("2024-06-04 07:31:20"), new=new, mid_kind="gmail",
    plain=f"{top(new, sig)}\n\n{att_p}\n\n{gt(r.text(72))}\n",
    html=gmail_html(top(new, sig), att_h, r.html()),
    note="Dutch Gmail attribution 'Op ... schreef ...:' wrapped over two lines in the plain part.")

# 42 iPhone NL 'Betaald!'
r = Rem("nl", "Sofie Peeters", "F2024-0881", "€ 57,30")
new = "Betaald!"
att = f"Op 3 jun. 2024 om 09:12 heeft {BWA} het volgende geschreven:"
add(42, "nl", "Apple Mail iPhone, Dutch (plain text)", "Sofie Peeters <sofie.peeters@icloud.example>", r,
    dt("2024-06-03 12:02:41"), new=new, mid_kind="apple", cte="quoted-printable", extra=[XM_IPHONE],
    plain=f"{new}\n\nVerstuurd vanaf mijn iPhone\n\n{gt(att + chr(10) + chr(10) + r.text(), empty='> ')}\n",
    note="One word. Dutch Apple attribution uses 'heeft ... het volgende geschreven:' (no 'schreef'). "
         "Footer 'Verstuurd vanaf mijn iPhone'.")

# 43 Outlook desktop NL multipart, signature + disclaimer
r = Rem("nl", "Smets Transport NV", "F2024-0912", "€ 1.245,00")
new = ("Goedemiddag,\n\nIn bijlage vindt u het betalingsbewijs van factuur F2024-0912. Het bedrag van "
       "€ 1.245,00 werd op 31 mei 2024 overgeschreven.\n\nGelieve uw gegevens aan te passen.")
sig = ("Met vriendelijke groet,\n\nKevin Smets\nBoekhouding\nSmets Transport NV\n"
       "T +32 3 123 45 67 | M +32 475 12 34 56\n\n"
       "Dit e-mailbericht en eventuele bijlagen zijn uitsluitend bestemd voor de geadresseerde(n) en kunnen "
       "vertrouwelijke informatie bevatten. Indien u dit bericht per vergissing heeft ontvangen, gelieve de "
       "afzender te verwittigen en het bericht te verwijderen.")
hdr = outlook_hdr_nl(r, "Boekhouding <boekhouding@smets-transport.example>", cc="Kevin Smets <k.smets@smets-transport.example>")
add(43, "nl", "Outlook desktop, Dutch (multipart/alternative, Van/Verzonden/Aan/CC/Onderwerp)",
    "Kevin Smets <k.smets@smets-transport.example>", r, dt("2024-06-03 14:11:06"), new=new,
    mid_kind="outlook", subject_prefix="RE: ", cte="quoted-printable", extra=[XM_OUTLOOK],
    plain=f"{top(new, sig)}\n\n" + "\n".join(hdr) + f"\n\n{r.text()}\n",
    html=outlook_html(top(new, sig), hdr, r, lang_attr="NL-BE"),
    note="Company signature with phone numbers and a Dutch confidentiality disclaimer; quote without '>'.")

# 44 Outlook web NL, HTML only
r = Rem("nl", "Fatima El Amrani", "F2024-0918", "€ 84,20")
new = ("Hallo,\n\nIk betwist deze factuur. Volgens mijn bankafschrift is op 14-05-2024 een bedrag van "
       f"€ 84,20 betaald met mededeling {REF}.\n\nGraag een correctie.")
sig = "Groeten,\nFatima"
add(44, "nl", "Outlook on the web, Dutch (HTML only, divRplyFwdMsg)", "Fatima El Amrani <fatima.elamrani@hotmail.example>", r,
    dt("2024-06-03 16:45:59"), new=new, mid_kind="outlook", subject_prefix="RE: ", cte="quoted-printable",
    html=owa_html(top(new, sig), outlook_hdr_nl(r, "Fatima El Amrani <fatima.elamrani@hotmail.example>"), r),
    note="HTML-only. Date, amount and structured reference in the reply; 'Groeten,' sign-off.")

# 45 Samsung NL
r = Rem("nl", "Dries Maes", "F2024-0921", "€ 64,00")
new = "Is betaald"
hdr = ["-------- Oorspronkelijk bericht --------", f"Van: {BWA} ", "Datum: 03-06-2024 09:12 (GMT+01:00) ",
       "Aan: dries.maes@telenet.example ", f"Onderwerp: {r.subject} "]
add(45, "nl", "Samsung Email, Dutch (plain text)", "Dries Maes <dries.maes@telenet.example>", r,
    dt("2024-06-03 20:33:18"), new=new, mid_kind="samsung",
    plain=f"{new}\n\n\n\nVerzonden vanaf mijn Samsung Galaxy-smartphone.\n\n\n" + "\n".join(hdr) + f"\n\n{r.text()}\n",
    note="Very short. Samsung Dutch footer and '-------- Oorspronkelijk bericht --------' block.")

# 46 Gmail NL, 'Datum:'/'Bedrag:'/'Mededeling:' lines in the reply
r = Rem("nl", "Koen Willems", "F2024-0925", "€ 84,20")
new = f"Hallo,\n\nHieronder de gegevens van mijn betaling:\nDatum: 14-06-2024\nBedrag: € 84,20\nMededeling: {REF}"
sig = "Mvg,\nKoen"
att = f"Op ma 3 jun 2024 om 09:12 schreef {BWA}:"
add(46, "nl", "Gmail web, Dutch UI (multipart/alternative)", "Koen Willems <koen.willems@mail.example>", r,
    dt("2024-06-14 18:20:44"), new=new, mid_kind="gmail",
    plain=f"{top(new, sig)}\n\n{att}\n\n{gt(r.text(72))}\n",
    html=gmail_html(top(new, sig), att, r.html()),
    note="Reply contains 'Datum:' (same label as Samsung/Outlook quote headers) and other 'Key: value' "
         "lines; they are new words. 'Mvg,' is the usual abbreviation of 'Met vriendelijke groet'.")

# 47 Thunderbird NL, format=flowed, colon with address
r = Rem("nl", "Wim Peeters", "F2024-0929", "€ 187,45")
new = ("Goedendag,\n\nIk ben verhuisd en heb de eindfactuur nooit ontvangen. Kunt u die nog eens \n"
       "opsturen naar mijn nieuwe adres: Stationsstraat 14, 9000 Gent?")
sig = "-- \nWim Peeters\nGSM 0475 12 34 56"
att = "Op 03-06-2024 om 09:12 schreef Brightwater Energy:"
add(47, "nl", "Thunderbird, Dutch (plain text, format=flowed)", "Wim Peeters <wim.peeters@telenet.example>", r,
    dt("2024-06-03 21:08:37"), new=new, mid_kind="tb", extra=[UA_TB], flowed=True,
    plain=f"{top(new, sig)}\n\n{att}\n{gt(r.text(72))}\n",
    note="format=flowed soft break inside a sentence; colon followed by an address; '-- ' signature "
         "with a GSM number.")

# 48 Yahoo NL
r = Rem("nl", "Kim Jacobs", "F2024-0933", "€ 126,75")
new = "Ik kan pas betalen op 25 juni, als mijn loon binnen is. Sorry voor het ongemak."
att = f"  Op ma, jun 3, 2024 om 9:12, Brightwater Energy<{COLLECT}> schreef:   "
add(48, "nl", "Yahoo Mail iPhone app, Dutch (plain text)", "Kim Jacobs <kim.jacobs@yahoo.example>", r,
    dt("2024-06-03 22:47:12"), new=new, mid_kind="yahoo",
    plain=f"{new}\n\nVerzonden vanaf Yahoo Mail voor iPhone\n \n{att}\n{indent(r.text(), '   ')}\n",
    note="Yahoo Dutch footer, indented attribution ending in 'schreef:' and space-indented quote.")

# 49 iPhone NL, lower case typos
r = Rem("nl", "Robin Vermeersch", "F2024-0937", "€ 92,10")
new = "ik heb al lang betaalt kijk eens goed na ,ik ga niet nog een keer betalen"
att = f"Op 3 jun. 2024 om 09:12 heeft {BWA} het volgende geschreven:"
add(49, "nl", "Apple Mail iPhone, Dutch (plain text)", "Robin Vermeersch <robin.vm@icloud.example>", r,
    dt("2024-06-03 23:58:03"), new=new, mid_kind="apple", cte="quoted-printable", extra=[XM_IPHONE],
    plain=f"{new}\n\nVerzonden vanaf mijn iPhone\n\n{gt(att + chr(10) + chr(10) + r.text(), empty='> ')}\n",
    note="Lower case, spelling mistake ('betaalt'), misplaced comma. Footer 'Verzonden vanaf mijn iPhone'.")

# 50 Gmail NL, HARD: name + phone
r = Rem("nl", "Jan Peeters", "F2024-0941", "€ 240,00")
new = "Ik betaal het saldo vrijdag."
sig = "Jan Peeters\n0470 12 34 56"
att = f"Op di 4 jun 2024 om 10:02 schreef {BWA}:"
add(50, "nl", "Gmail web, Dutch UI (multipart/alternative)", "Jan Peeters <jan.peeters@mail.example>", r,
    dt("2024-06-04 12:15:27"), new=new, mid_kind="gmail", hard=True,
    plain=f"{top(new, sig)}\n\n{att}\n\n{gt(r.text(72))}\n",
    html=gmail_html(top(new, sig), att, r.html()),
    note="HARD: signature is a name and a mobile number with no sign-off word. Expected keeps only the sentence.")

# 51 Gmail NL HTML only, <br> inside a sentence
r = Rem("nl", "Sanne Bakker", "F2024-0945", "€ 300,00")
new = ("Beste,\n\nKan ik een afbetalingsplan krijgen? Ik stel voor om elke maand € 25,00 te betalen\n"
       "vanaf 1 juli.")
sig = "Groetjes,\nSanne"
att = f"Op ma 3 jun 2024 om 09:12 schreef {BWA}:"
add(51, "nl", "Gmail web, Dutch (HTML only, gmail_quote)", "Sanne Bakker <sanne.bakker@mail.example>", r,
    dt("2024-06-03 19:42:50"), new=new, mid_kind="gmail",
    html=gmail_html(top(new, sig), att, r.html()),
    note="HTML-only. A line break (separate <div>) in the middle of a sentence; 'Groetjes,' sign-off.")

# 52 Outlook NL old style -----Oorspronkelijk bericht-----
r = Rem("nl", "Vermeulen Bouw BV", "F2024-0890", "€ 1.245,00")
new = ("Geachte heer, mevrouw,\n\nUw herinnering van 3 juni hebben wij goed ontvangen. De factuur werd op "
       "31 mei betaald via onze bank; het bedrag van € 1.245,00 zou intussen op uw rekening moeten staan.\n\n"
       "Mocht dit niet het geval zijn, dan vernemen wij dat graag.")
sig = "Hoogachtend,\n\nP. Vermeulen\nBoekhouding\nVermeulen Bouw BV | Tel. 010 123 45 67"
hdr = ["-----Oorspronkelijk bericht-----", f"Van: Brightwater Energy [mailto:{COLLECT}] ",
       "Verzonden: maandag 3 juni 2024 09:12", "Aan: Boekhouding <boekhouding@vermeulen-bouw.example>",
       f"Onderwerp: {r.subject}"]
add(52, "nl", "Outlook desktop, Dutch, plain text (-----Oorspronkelijk bericht-----)",
    "P. Vermeulen <boekhouding@vermeulen-bouw.example>", r, dt("2024-06-04 10:26:15"), new=new,
    mid_kind="outlook", subject_prefix="RE: ", cte="quoted-printable", extra=[XM_OUTLOOK],
    plain=f"{top(new, sig)}\n\n" + "\n".join(hdr) + f"\n\n{r.text()}\n",
    note="Formal Dutch business reply, three paragraphs, 'Hoogachtend,' sign-off, old Outlook separator.")

# 53 Outlook for Android NL
r = Rem("nl", "Lien Goossens", "F2024-0949", "€ 71,80")
new = "Ok, ik regel het vandaag nog."
hdr = ["________________________________"] + outlook_hdr_nl(
    r, "lien.goossens@outlook.example <lien.goossens@outlook.example>", sent="maandag 3 juni 2024 09:12:41")
add(53, "nl", "Outlook for Android, Dutch (plain text)", "Lien Goossens <lien.goossens@outlook.example>", r,
    dt("2024-06-03 10:04:52"), new=new, mid_kind="outlook", subject_prefix="RE: ",
    plain=f"{new}\n\nOutlook voor Android downloaden<https://aka.ms/AAb9ysg>\n" + "\n".join(hdr) + f"\n\n{r.text()}\n",
    note="Short reply, Dutch 'Outlook voor Android downloaden' footer and Van/Verzonden/Aan/Onderwerp block.")

# 54 Apple Mail NL HTML only, starts with 'Op 20 mei'
r = Rem("nl", "Daan Visser", "F2024-0953", "€ 84,20")
new = "Hoi,\n\nOp 20 mei heb ik € 84,20 overgemaakt. Kunnen jullie dat nakijken?"
sig = "Groet,\nDaan"
att = f"Op 3 jun. 2024 om 09:12 heeft {BWA} het volgende geschreven:"
add(54, "nl", "Apple Mail macOS, Dutch (HTML only, blockquote type=cite)", "Daan Visser <daan.visser@me.example>", r,
    dt("2024-06-03 13:14:39"), new=new, mid_kind="apple", cte="quoted-printable", extra=[XM_MAC],
    html=apple_html(top(new, sig), att, r),
    note="HTML-only. A line of the reply starts with 'Op 20 mei ...' like a Dutch attribution but is new text.")

# 55 Gmail NL, reply to a forwarded reminder ('Doorgestuurd bericht')
r = Rem("nl", "Els Wouters", "F2024-0966", "€ 132,60")
new = ("Goedenavond,\n\nIk heb de factuur vandaag betaald voor mijn vriendin Els Wouters, met de juiste "
       "mededeling.")
sig = "Groeten,\nBart Desmet"
fwd_mid = "<CAM9pQ2vX4s8Lk1eR7tYb3Hn=Wz0@mail.gmail.com>"
att = "Op di 4 jun 2024 om 19:05 schreef Els Wouters <els.wouters@mail.example>:"
fwd = ("Bart, kan jij dit betalen? Ik zit deze week in het buitenland.\n\n"
       "---------- Doorgestuurd bericht ---------\n"
       f"Van: {BWA}\nDate: ma 3 jun 2024 om 09:12\nSubject: {r.subject}\n"
       "To: <els.wouters@mail.example>\n\n\n" + r.text(72))
fwd_html = ('<div dir="ltr">Bart, kan jij dit betalen? Ik zit deze week in het buitenland.<br><br>'
            '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Doorgestuurd bericht ---------<br>\n'
            f'Van: <strong class="gmail_sendername" dir="auto">Brightwater Energy</strong> <span dir="auto">&lt;{COLLECT}&gt;</span><br>\n'
            f'Date: ma 3 jun 2024 om 09:12<br>\nSubject: {esc(r.subject)}<br>\nTo: &lt;els.wouters@mail.example&gt;<br></div><br><br>\n'
            + r.html() + "\n</div></div>")
add(55, "nl", "Gmail web, Dutch (multipart/alternative), reply to a forwarded reminder",
    "Bart Desmet <bart.desmet@mail.example>", r, dt("2024-06-05 20:40:11"), new=new, mid_kind="gmail",
    subject="Re: Fwd: " + r.subject, in_reply_to=fwd_mid, references=f"{rem_mid(55, r.inv)} {fwd_mid}",
    plain=f"{top(new, sig)}\n\n{att}\n\n{gt(fwd)}\n",
    html=gmail_html(top(new, sig), att, fwd_html),
    note="Quote contains a nested '---------- Doorgestuurd bericht ---------' block (Gmail mixes Dutch and "
         "English labels). The reply names a third person.")

# 56 Thunderbird old NL, ISO-8859-1
r = Rem("nl", "René Maes", "F2024-0970", "EUR 84,20")
new = ("Geachte,\n\nDeze factuur is niet voor mij bestemd. Ik woon sinds januari niet meer op dit adres en "
       "heb geen contract bij u. Gelieve uw gegevens aan te passen.")
sig = "Vriendelijke groeten,\nRené Maes"
att = "Op 3-6-2024 09:12, Brightwater Energy schreef:"
add(56, "nl", "Thunderbird (older), Dutch (plain text, ISO-8859-1)", "René Maes <rene.maes@skynet.example>", r,
    dt("2024-06-03 17:55:30"), new=new, mid_kind="tb", charset="iso-8859-1", extra=[UA_TB],
    plain=f"{top(new, sig)}\n\n{att}\n{gt(r.text(72))}\n",
    note="ISO-8859-1, 8bit; wrong-person reply; 'Vriendelijke groeten,' sign-off.")

# 57 Outlook desktop NL plain, HARD: business signature without sign-off
r = Rem("nl", "Janssens Interieur", "F2024-0955", "€ 412,30")
new = "Beste,\n\nBetaling is vandaag uitgevoerd."
sig = "Lotte Janssens\nJanssens Interieur\nT 03 456 78 90\nwww.janssens-interieur.example"
hdr = outlook_hdr_nl(r, "info@janssens-interieur.example", sent="dinsdag 4 juni 2024 08:30")
add(57, "nl", "Outlook desktop, Dutch (plain text, Van/Verzonden/Aan/Onderwerp, no '>')",
    "Lotte Janssens <lotte@janssens-interieur.example>", r, dt("2024-06-04 15:02:08"), new=new,
    mid_kind="outlook", subject_prefix="RE: ", cte="quoted-printable", extra=[XM_OUTLOOK], hard=True,
    plain=f"{top(new, sig)}\n\n" + "\n".join(hdr) + f"\n\n{r.text()}\n",
    note="HARD: name / company / phone / website signature with no sign-off word.")

# 58 Zimbra (Telenet) NL, sign-off directly under the text
r = Rem("nl", "Bram Wouters", "F2024-1001", "€ 58,75")
new = "graag een kopie van de factuur aub. ik heb die nooit gekregen"
sig = "groetjes\nbram"
hdr = ["----- Oorspronkelijk bericht -----", f'Van: "Brightwater Energy" <{COLLECT}>',
       'Aan: "bram wouters" <bram.wouters@telenet.example>', "Verzonden: Maandag 3 juni 2024 09:12:41",
       f"Onderwerp: {r.subject}"]
add(58, "nl", "Zimbra webmail, Dutch (plain text, '----- Oorspronkelijk bericht -----')",
    "bram wouters <bram.wouters@telenet.example>", r, dt("2024-06-03 21:19:44"), new=new,
    extra=[("X-Mailer", "Zimbra 9.0.0_ZEXTRAS_20240327 (ZimbraWebClient - GC125 (Win)/9.0.0_ZEXTRAS_20240327)")],
    plain=f"{top(new, sig, sep=chr(10))}\n\n" + "\n".join(hdr) + f"\n\n{gt(r.text(72))}\n",
    note="Lower case; the sign-off 'groetjes' + 'bram' follows on the very next line with no blank line. "
         "Zimbra separator '----- Oorspronkelijk bericht -----'.")

# 59 Gmail mobile NL, 'Top, bedankt!'
r = Rem("nl", "Ruben Claes", "F2024-1005", "€ 39,90")
new = "Top, bedankt!"
att = f"Op ma 3 jun. 2024 09:12 schreef Brightwater Energy <{COLLECT}>:"
add(59, "nl", "Gmail mobile app, Dutch (multipart/alternative)", "Ruben Claes <ruben.claes@mail.example>", r,
    dt("2024-06-03 09:18:26"), new=new, mid_kind="gmail",
    plain=f"{new}\n\n{att}\n\n{gt(r.text())}\n",
    html=f'<div dir="auto">{esc(new)}</div><br>\n<div class="gmail_quote"><div dir="ltr" class="gmail_attr">{esc(att)}<br></div>'
         f'<blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">\n{r.html()}\n</blockquote></div>\n',
    note="Short reply made of thanks words ('bedankt') that could be mistaken for a sign-off; it is the whole message.")

# 60 iPad NL, multi-paragraph with line breaks inside sentences
r = Rem("nl", "Maria Claes", "F2024-1010", "€ 286,40")
new = ("Beste,\n\nMijn moeder is vorige maand overleden. Ik ben haar dochter en regel\n"
       "de nalatenschap. Gelieve alle correspondentie voortaan naar mij te sturen.\n\n"
       "Kunt u ook bevestigen welk bedrag er nog\nopenstaat?")
sig = "Met vriendelijke groet,\nIngrid Claes\n\nVerstuurd vanaf mijn iPad"
att = f"Op 3 jun. 2024 om 09:12 heeft {BWA} het volgende geschreven:"
add(60, "nl", "Apple Mail iPad, Dutch (plain text)", "Ingrid Claes <ingrid.claes@icloud.example>", r,
    dt("2024-06-04 16:22:47"), new=new, mid_kind="apple", cte="quoted-printable", extra=[XM_IPAD],
    plain=f"{top(new, sig)}\n\n{gt(att + chr(10) + chr(10) + r.text(), empty='> ')}\n",
    note="Three paragraphs with hard line breaks inside sentences; sign-off + name + 'Verstuurd vanaf mijn iPad'.")


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

def build(c: dict) -> bytes:
    msg = EmailMessage()
    msg["From"] = c["frm"]
    msg["To"] = TO
    msg["Subject"] = c["subject"]
    msg["Message-ID"] = c["mid"]
    msg["In-Reply-To"] = c["in_reply_to"]
    msg["References"] = c["references"]
    msg["Date"] = format_datetime(c["date"])
    for k, v in c["extra"]:
        if k != "Content-Disposition":
            msg[k] = v
    kw = dict(charset=c["charset"], cte=c["cte"])
    if c["plain"] is not None and c["html"] is not None:
        msg.set_content(c["plain"], subtype="plain", **kw)
        msg.add_alternative(c["html"], subtype="html", **kw)
    elif c["plain"] is not None:
        msg.set_content(c["plain"], subtype="plain", **kw)
        if c["flowed"]:
            msg.set_param("format", "flowed")
        for k, v in c["extra"]:
            if k == "Content-Disposition":
                msg[k] = v
    else:
        msg.set_content(c["html"], subtype="html", **kw)
    if msg.is_multipart():
        for part in msg.iter_parts():
            del part["MIME-Version"]
    return msg.as_bytes(policy=policy.default)


def yq(s: str) -> str:
    """YAML double-quoted scalar."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_expected(cases):
    lines = [
        "# Blind expected output for the email-reply extractor corpus.",
        "# Written from the brief only (the extractor was not read). See README.md.",
        "# expected: the new words only, whitespace-normalised (runs of spaces, tabs, no-break",
        "#           spaces and single newlines -> one space; paragraphs separated by one blank line).",
        "",
    ]
    for c in cases:
        name = f"cases{c['n']:02d}.eml"
        lines.append(f"{name}:")
        lines.append(f"  language: {c['lang']}")
        lines.append(f"  client: {yq(c['client'])}")
        lines.append("  expected: |-")
        for l in c["expected"].split("\n"):
            lines.append(("    " + l) if l else "")
        lines.append(f"  hard: {'true' if c['hard'] else 'false'}")
        lines.append(f"  note: {yq(c['note'])}")
        lines.append("")
    (OUT / "expected.yml").write_text("\n".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------
# Self-check (does not use the extractor)
# --------------------------------------------------------------------------

def crude_html_text(h: str) -> str:
    h = re.sub(r"(?is)<(head|style)\b.*?</\1>", " ", h)
    h = re.sub(r"(?s)<[^>]+>", " ", h)
    return htmlmod.unescape(h)


def flat(s: str) -> str:
    return " ".join(s.split())


def check(cases):
    problems = []
    for c in cases:
        name = f"cases{c['n']:02d}.eml"
        raw = (OUT / name).read_bytes()
        for i, line in enumerate(raw.split(b"\n")):
            if len(line) > 998:
                problems.append(f"{name}: line {i + 1} longer than 998 octets")
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        for h in ("From", "To", "Subject", "Message-ID", "In-Reply-To", "Date", "MIME-Version", "Content-Type"):
            if msg[h] is None:
                problems.append(f"{name}: missing {h}")
        if msg["To"] != TO:
            problems.append(f"{name}: bad To {msg['To']!r}")
        if not str(msg["Subject"]).lower().startswith("re"):
            problems.append(f"{name}: subject")
        part = msg.get_body(preferencelist=("plain", "html"))
        text = part.get_content()
        if part.get_content_type() == "text/html":
            text = crude_html_text(text)
        exp = flat(c["expected"])
        if not flat(text).startswith(exp):
            problems.append(f"{name}: expected text is not the top of the body\n  exp: {exp[:90]!r}\n  got: {flat(text)[:90]!r}")
        # for multipart: the html alternative must agree
        if msg.is_multipart():
            h = crude_html_text(msg.get_body(preferencelist=("html",)).get_content())
            if not flat(h).startswith(exp):
                problems.append(f"{name}: html alternative disagrees: {flat(h)[:90]!r}")
        # the reminder's own words must be in the body too (there is something to strip)
        if "Brightwater" not in flat(text):
            problems.append(f"{name}: quote missing")
    return problems


def main():
    for old in OUT.glob("cases*.eml"):
        old.unlink()
    for c in CASES:
        (OUT / f"cases{c['n']:02d}.eml").write_bytes(build(c))
    write_expected(CASES)
    problems = check(CASES)
    langs = {l: sum(1 for c in CASES if c["lang"] == l) for l in ("en", "fr", "nl")}
    html_only = sum(1 for c in CASES if c["plain"] is None)
    multipart = sum(1 for c in CASES if c["plain"] is not None and c["html"] is not None)
    print(f"{len(CASES)} cases {langs}; html-only={html_only}; multipart={multipart}; "
          f"hard={sum(c['hard'] for c in CASES)}; "
          f"iso-8859-1={sum(c['charset'] == 'iso-8859-1' for c in CASES)}; "
          f"quoted-printable={sum(c['cte'] == 'quoted-printable' for c in CASES)}")
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
