"""Generator for the blind e-mail reply corpus (tests/email_replies_blind2).

Written from the brief only, without looking at the extractor or at any other
corpus.  Run with any Python 3.9+:  python build.py
It (re)writes NN.eml and expected.yml in this folder.  Only the standard
library is used (PyYAML is used for a final check if it is importable).
"""
import datetime as dt
import html
import json
import os
import re
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

HERE = os.path.dirname(os.path.abspath(__file__))
C = "collect+abcdefghijklmnopqrstuvwx@amicable.example"
TO = f"Brightwater Energy <{C}>"
NB = "\u00a0"  # no-break space

CASES = []


def esc(s):
    return html.escape(s, quote=False)


def norm(s):
    """Whitespace normalisation used for the 'expected' values."""
    paras = re.split(r"\n[ \t\u00a0]*\n", s.strip())
    out = []
    for p in paras:
        p = re.sub(r"[ \t\u00a0\r\n]+", " ", p).strip()
        if p:
            out.append(p)
    return "\n\n".join(out)


# --------------------------------------------------------------------------
# The e-mails the assistant sent (what gets quoted)
# --------------------------------------------------------------------------

def rem_en(name, inv, amount, due, ogm="+++123/4567/89012+++"):
    return f"""Dear {name},

Our records show that invoice {inv} of {amount}, due on {due}, has not been paid yet.

Please transfer the amount to IBAN BE71 0961 2345 6769 (BIC GKCCBEBB) with the structured reference {ogm}, or pay online: https://pay.amicable.example/r/8KX2QF

If you have already paid, please disregard this message. If you cannot pay in full, simply reply to this email and we will look for a solution together.

Kind regards,

Brightwater Energy
Customer accounts"""


def rem_fr(name, inv, amount, due, ogm="+++123/4567/89012+++"):
    return f"""Bonjour {name},

Sauf erreur de notre part, la facture {inv} d'un montant de {amount}, échue le {due}, reste impayée à ce jour.

Nous vous remercions d'effectuer le virement sur le compte BE71 0961 2345 6769 (BIC GKCCBEBB) avec la communication structurée {ogm}, ou de payer en ligne : https://pay.amicable.example/r/8KX2QF

Si vous avez déjà réglé ce montant, merci de ne pas tenir compte de ce message. Si vous ne pouvez pas payer en une fois, répondez simplement à cet e-mail et nous chercherons ensemble une solution.

Cordialement,

Brightwater Energy
Service clients"""


def rem_nl(name, inv, amount, due, ogm="+++123/4567/89012+++"):
    return f"""Beste {name},

Volgens onze gegevens is factuur {inv} van {amount}, vervallen op {due}, nog niet betaald.

Gelieve het bedrag over te schrijven op rekening BE71 0961 2345 6769 (BIC GKCCBEBB) met de gestructureerde mededeling {ogm}, of online te betalen: https://pay.amicable.example/r/8KX2QF

Heeft u intussen al betaald, dan mag u deze herinnering als onbestaande beschouwen. Kunt u niet in één keer betalen? Beantwoord dan gewoon deze e-mail, dan zoeken we samen naar een oplossing.

Met vriendelijke groet,

Brightwater Energy
Klantendienst"""


def conf_en(name, n, amount, dates):
    return f"""Dear {name},

Thank you for your message. We confirm the following payment plan: {n} instalments of {amount}, on {dates}.

Please use the structured reference +++123/4567/89012+++ for each payment.

Kind regards,

Brightwater Energy
Customer accounts"""


def conf_fr(name, n, amount, dates):
    return f"""Bonjour {name},

Nous avons bien reçu votre message. Nous vous confirmons l'échéancier suivant : {n} versements de {amount}, les {dates}.

Merci d'utiliser la communication structurée +++123/4567/89012+++ pour chaque versement.

Cordialement,

Brightwater Energy
Service clients"""


def conf_nl(name, n, amount, dates):
    return f"""Beste {name},

Bedankt voor uw bericht. Wij bevestigen het volgende afbetalingsplan: {n} termijnen van {amount}, op {dates}.

Gebruik voor elke betaling de gestructureerde mededeling +++123/4567/89012+++.

Met vriendelijke groet,

Brightwater Energy
Klantendienst"""


SUBJ_EN = "Reminder: invoice {inv} is overdue"
SUBJ_FR = "Rappel : facture {inv} impayée"
SUBJ_NL = "Herinnering: factuur {inv} nog niet betaald"


def q(text, prefix="> ", empty=">"):
    return "\n".join(prefix + l if l else empty for l in text.split("\n"))


def orig_div(text):
    """Quoted original as a simple HTML fragment (lines joined with <br>)."""
    return "<div>" + "<br>\n".join(esc(l) for l in text.split("\n")) + "</div>"


def orig_mso(text):
    out = []
    for l in text.split("\n"):
        if l:
            out.append(f'<p class="MsoNormal">{esc(l)}<o:p></o:p></p>')
        else:
            out.append('<p class="MsoNormal"><o:p>&nbsp;</o:p></p>')
    return "\n".join(out)


def mso(lines):
    out = []
    for l in lines:
        if l:
            out.append(f'<p class="MsoNormal">{l}<o:p></o:p></p>')
        else:
            out.append('<p class="MsoNormal"><o:p>&nbsp;</o:p></p>')
    return "\n".join(out)


# --------------------------------------------------------------------------
# client-specific HTML skeletons
# --------------------------------------------------------------------------

def gmail_html(new_lines, attr, orig_text, sig_lines=None):
    body = "".join("<div><br></div>" if l == "" else f"<div>{esc(l)}</div>" for l in new_lines)
    if sig_lines:
        body += ('<br clear="all"><div><br></div><span class="gmail_signature_prefix">-- </span><br>'
                 '<div dir="ltr" class="gmail_signature" data-smartmail="gmail_signature"><div dir="ltr">'
                 + "<br>".join(esc(l) for l in sig_lines) + "</div></div>")
    return (f'<div dir="ltr">{body}</div><br><div class="gmail_quote gmail_quote_container">'
            f'<div dir="ltr" class="gmail_attr">{attr}<br></div>'
            '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
            f'<div dir="ltr">{orig_div(orig_text)}</div></blockquote></div>\n')


def apple_html(new_lines, attr, orig_text):
    first, rest = new_lines[0], new_lines[1:]
    body = esc(first) + "".join("<div><br></div>" if l == "" else f"<div>{esc(l)}</div>" for l in rest)
    return ('<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
            '<body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">'
            f'{body}<div><br id="lineBreakAtBeginningOfMessage"><div><br><blockquote type="cite">'
            f'<div>{attr}</div><br class="Apple-interchange-newline"><div><div>{orig_div(orig_text)}</div></div>'
            '</blockquote></div><br></div></body></html>\n')


WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<meta name="Generator" content="Microsoft Word 15 (filtered medium)">
<!--[if !mso]><style>v\\:* {{behavior:url(#default#VML);}}
o\\:* {{behavior:url(#default#VML);}}
w\\:* {{behavior:url(#default#VML);}}
.shape {{behavior:url(#default#VML);}}
</style><![endif]--><style><!--
/* Font Definitions */
@font-face
	{{font-family:"Cambria Math";
	panose-1:2 4 5 3 5 4 6 3 2 4;}}
@font-face
	{{font-family:Calibri;
	panose-1:2 15 5 2 2 2 4 3 2 4;}}
@font-face
	{{font-family:Wingdings;
	panose-1:5 0 0 0 0 0 0 0 0 0;}}
/* Style Definitions */
p.MsoNormal, li.MsoNormal, div.MsoNormal
	{{margin:0cm;
	font-size:11.0pt;
	font-family:"Calibri",sans-serif;
	mso-ligatures:standardcontextual;
	mso-fareast-language:EN-US;}}
a:link, span.MsoHyperlink
	{{mso-style-priority:99;
	color:#0563C1;
	text-decoration:underline;}}
span.EmailStyle19
	{{mso-style-type:personal-reply;
	font-family:"Calibri",sans-serif;
	color:windowtext;}}
.MsoChpDefault
	{{mso-style-type:export-only;
	font-size:10.0pt;
	mso-ligatures:none;}}
@page WordSection1
	{{size:612.0pt 792.0pt;
	margin:72.0pt 72.0pt 72.0pt 72.0pt;}}
div.WordSection1
	{{page:WordSection1;}}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]--><!--[if gte mso 9]><xml>
<o:shapelayout v:ext="edit">
<o:idmap v:ext="edit" data="1" />
</o:shapelayout></xml><![endif]-->
</head>
<body lang="{lang}" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">
<div class="WordSection1">
"""


def word_html(charset, lang, new_html, hdr_labels, hdr_values, orig_text):
    lab_from, lab_sent, lab_to, lab_subj = hdr_labels
    v_from, v_sent, v_to, v_subj = hdr_values
    return (WORD_HEAD.format(charset=charset, lang=lang) + new_html + "\n"
            '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n'
            '<div>\n<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">\n'
            f'<p class="MsoNormal"><b><span lang="{lang}">{lab_from}</span></b><span lang="{lang}"> {v_from} <br>\n'
            f'<b>{lab_sent}</b> {v_sent}<br>\n<b>{lab_to}</b> {v_to}<br>\n<b>{lab_subj}</b> {v_subj}<o:p></o:p></span></p>\n'
            '</div>\n</div>\n<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n'
            + orig_mso(orig_text) + "\n</div>\n</body>\n</html>\n")


OWA_STYLE = ("font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; "
             "font-size: 12pt; color: rgb(0, 0, 0);")


def owa_html(new_lines, labels, values, orig_text):
    parts = []
    for l in new_lines:
        inner = "<br>" if l == "" else esc(l)
        parts.append(f'<div class="elementToProof" style="{OWA_STYLE}">\n{inner}</div>')
    (a, b, c, d), (va, vb, vc, vd) = labels, values
    return ('<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            '<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>\n'
            '</head>\n<body dir="ltr">\n' + "\n".join(parts) + "\n"
            '<div id="appendonsend"></div>\n<hr style="display:inline-block;width:98%" tabindex="-1">\n'
            '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">'
            f'<b>{a}</b> {va}<br>\n<b>{b}</b> {vb}<br>\n<b>{c}</b> {vc}<br>\n<b>{d}</b> {vd}</font>\n'
            '<div>&nbsp;</div>\n</div>\n' + orig_div(orig_text) + "\n</body>\n</html>\n")


# --------------------------------------------------------------------------
# message assembly
# --------------------------------------------------------------------------

def when(day, hh, mm, tz=1, month=3):
    return dt.datetime(2024, month, day, hh, mm, 0, tzinfo=dt.timezone(dt.timedelta(hours=tz)))


def case(n, *, lang, client, frm, subject, date, msgid, plain=None, html_body=None,
         charset="utf-8", cte="quoted-printable", html_charset=None, html_cte=None,
         expected, hard=False, note="", extra_headers=(), attachments=(), params=None,
         linesep="\n", ref=None):
    CASES.append(dict(n=n, lang=lang, client=client, frm=frm, subject=subject, date=date,
                      msgid=msgid, plain=plain, html=html_body, charset=charset, cte=cte,
                      html_charset=html_charset or charset, html_cte=html_cte or cte,
                      expected=norm(expected), hard=hard, note=note,
                      extra_headers=list(extra_headers), attachments=list(attachments),
                      params=params, linesep=linesep, ref=ref or f"<rem.{n:02d}.7f3a9c@amicable.example>"))


FAKE_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def render(c):
    m = EmailMessage(policy=policy.default)
    m["From"] = c["frm"]
    m["To"] = TO
    m["Subject"] = c["subject"]
    m["Date"] = format_datetime(c["date"])
    m["Message-ID"] = c["msgid"]
    m["In-Reply-To"] = c["ref"]
    m["References"] = c["ref"]
    for k, v in c["extra_headers"]:
        m[k] = v
    if c["plain"] is not None:
        m.set_content(c["plain"], charset=c["charset"], cte=c["cte"], params=c["params"] or {})
        if c["html"] is not None:
            m.add_alternative(c["html"], subtype="html", charset=c["html_charset"], cte=c["html_cte"])
    else:
        m.set_content(c["html"], subtype="html", charset=c["html_charset"], cte=c["html_cte"])
    for fname, ctype, data in c["attachments"]:
        maintype, subtype = ctype.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=fname)
    return m.as_bytes(policy=policy.default.clone(linesep=c["linesep"]))


# ==========================================================================
# ENGLISH
# ==========================================================================

# 01 -- Gmail web, multipart/alternative, simple top-post
o = rem_en("Mr Harris", "INV-2024-0815", "EUR 142.50", "1 March 2024")
new = ["Hi,", "",
       "I paid this invoice on 8 March by bank transfer, with the structured reference +++123/4567/89012+++. Can you please check again?",
       "", "Thanks,", "David"]
attr = f"On Tue, 12 Mar 2024 at 10:15, Brightwater Energy <{C}> wrote:"
case(1, lang="en", client="Gmail (web)", frm="David Harris <david.harris84@gmail.com>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0815"), date=when(13, 9, 4, 0),
     msgid="<CAJx8bT2kQmZ1v0pV9sN+4hYcE7Wq3dLr5u@mail.gmail.com>",
     plain="\n".join(new) + "\n\n" + attr + "\n\n" + q(o) + "\n",
     html_body=gmail_html(new, f'On Tue, 12 Mar 2024 at 10:15, Brightwater Energy &lt;<a href="mailto:{C}">{C}</a>&gt; wrote:', o),
     expected="Hi,\n\nI paid this invoice on 8 March by bank transfer, with the structured reference +++123/4567/89012+++. Can you please check again?",
     note="Plain Gmail top-post; 'Thanks,' + first name is the sign-off.")

# 02 -- Outlook desktop (Windows), plain, company signature + disclaimer, unquoted original under header block
o = rem_en("Ms O\u2019Connell", "INV-2024-0820", "EUR 486.10", "29 February 2024")
new = """Good morning,

We dispute this invoice. The meter reading used on it (12,450 kWh) does not match our own reading of 11,980 kWh taken on 29 February 2024 \u2013 there must be a mistake somewhere.

Please put the collection on hold until this is resolved. I\u2019ll send photos of the meter separately."""
sig = """Kind regards,

Sarah O\u2019Connell
Practice Manager
Harbourside Dental Ltd
Unit 4, Quay Street, Cork T12 X2Y3
Tel: +353 21 432 1000 | Mob: +353 87 123 4567
www.harbourside-dental.ie

This email and any attachments are confidential and intended solely for the addressee. If you have received it in error, please notify the sender immediately and delete it from your system. Harbourside Dental Ltd, registered in Ireland No. 612345."""
hdr = f"""From: Brightwater Energy <{C}>
Sent: 12 March 2024 10:15
To: Sarah O\u2019Connell <s.oconnell@harbourside-dental.ie>
Subject: Reminder: invoice INV-2024-0820 is overdue"""
case(2, lang="en", client="Outlook desktop (Windows, Microsoft 365)",
     frm="Sarah O'Connell <s.oconnell@harbourside-dental.ie>",
     subject="RE: " + SUBJ_EN.format(inv="INV-2024-0820"), date=when(12, 14, 37, 0),
     msgid="<DB9PR08MB7641E3C2A1F0B2D4C5E6F7A8B9@DB9PR08MB7641.eurprd08.prod.outlook.com>",
     plain=new + "\n\n" + sig + "\n\n" + hdr + "\n\n" + o + "\n", charset="windows-1252",
     extra_headers=[("X-Mailer", "Microsoft Outlook 16.0"), ("Thread-Index", "AQHadGh3kq2m8r1lEk2vX9bGQ5mN3w==")],
     linesep="\r\n",
     expected=new,
     note="Outlook plain text: original is NOT '>'-quoted, it follows a From/Sent/To/Subject block. "
          "Signature with job title, address, phone numbers and a legal disclaimer. windows-1252 curly apostrophe and en dash. "
          "The 'RE:' prefix is Outlook's.")

# 03 -- iPhone Mail, one word
o = rem_en("Mr Mills", "INV-2024-0815", "EUR 142.50", "1 March 2024")
case(3, lang="en", client="Apple Mail (iPhone)", frm="Gary Mills <garymills@icloud.com>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0815"), date=when(12, 18, 51, 0),
     msgid="<6F1C2B7A-93D4-4E0A-9C1B-2D8E5F4A7B31@icloud.com>",
     plain="Paid\n\nSent from my iPhone\n\n" + f"> On 12 Mar 2024, at 10:15, Brightwater Energy <{C}> wrote:\n> \n" + q(o, empty="> ") + "\n",
     extra_headers=[("X-Mailer", "iPhone Mail (21D61)")],
     expected="Paid", note="One-word reply above 'Sent from my iPhone'.")

# 04 -- Gmail web, HTML only
o = rem_en("Ms Clarke", "INV-2024-0977", "EUR 312.40", "4 March 2024")
new = ["Hello,", "",
       "I lost my job in January and can\u2019t pay the full \u20ac312.40 at once. Could I pay \u20ac50 per month, starting on 1 April? My mobile number is 07700 900123 if it\u2019s easier to discuss by phone.",
       "", "Best,", "Emma"]
case(4, lang="en", client="Gmail (web), HTML only", frm="Emma Clarke <emma.clarke.1990@gmail.com>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0977"), date=when(12, 21, 3, 0),
     msgid="<CAOq3ZpWm7f+Yt2Rk8dH1N0sLx5G9vQe4Ab@mail.gmail.com>",
     html_body=gmail_html(new, f'On Tue, 12 Mar 2024 at 10:15, Brightwater Energy &lt;<a href="mailto:{C}">{C}</a>&gt; wrote:', o),
     expected="Hello,\n\nI lost my job in January and can\u2019t pay the full \u20ac312.40 at once. Could I pay \u20ac50 per month, starting on 1 April? My mobile number is 07700 900123 if it\u2019s easier to discuss by phone.",
     note="HTML-only Gmail; quote in div.gmail_quote/blockquote. Amounts and a phone number inside the sentence belong to the new words.")

# 05 -- Thunderbird, "Subject:" line at the top of the new words
o = rem_en("Mr Hughes", "INV-2024-0790", "EUR 203.95", "26 February 2024")
new = """Subject: my invoice is wrong

Your reminder is addressed to 14 Mill Lane, but I moved out of that flat on 31 December 2023. I sent you the final meter reading and my new address (22 Orchard Road, Leeds LS6 2AB) at the time. Please correct your records."""
case(5, lang="en", client="Thunderbird (Windows)", frm="Peter Hughes <phughes@btinternet.com>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0790"), date=when(13, 7, 48, 0),
     msgid="<4b7e0c2a-8d51-4f3e-a6c9-1e2f3a4b5c6d@btinternet.com>",
     plain=new + "\n\nRegards,\nPeter Hughes\n\nOn 12/03/2024 10:15, Brightwater Energy wrote:\n" + q(o) + "\n",
     charset="iso-8859-1", cte="8bit", params={"format": "flowed"},
     extra_headers=[("User-Agent", "Mozilla Thunderbird")],
     expected=new,
     note="The first line 'Subject: my invoice is wrong' looks like a header but is typed by the sender: it is part of the new words. "
          "Thunderbird attribution 'On 12/03/2024 10:15, Brightwater Energy wrote:' (no e-mail address).")

# 06 -- Yahoo Mail iPhone, lower case and typo, original not '>'-quoted
o = rem_en("Ms Price", "INV-2024-0815", "EUR 142.50", "1 March 2024")
case(6, lang="en", client="Yahoo Mail (iPhone app)", frm="Danielle Price <dani_price77@yahoo.co.uk>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0815"), date=when(13, 8, 2, 0),
     msgid="<1710317000123.5512.danipr@yahoo.co.uk>",
     plain="ok i will pay tomorow sorry for the delay\n\nSent from Yahoo Mail for iPhone\n\n\n"
           f"On Tuesday, March 12, 2024, 10:15 am, Brightwater Energy <{C}> wrote:\n\n" + o + "\n",
     expected="ok i will pay tomorow sorry for the delay",
     note="Lower case, typo ('tomorow'), no punctuation. Yahoo mobile puts the original below the attribution without '>' prefixes.")

# 07 -- Outlook for Android
o = rem_en("Mr Reynolds", "INV-2024-0815", "EUR 142.50", "1 March 2024")
case(7, lang="en", client="Outlook for Android", frm="Mike Reynolds <mike.r@outlook.com>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0815"), date=when(13, 9, 41, 0),
     msgid="<AM6PR02MB4423D1E0F9A8B7C6D5E4F3A2B1@AM6PR02MB4423.eurprd02.prod.outlook.com>",
     plain="Hi there, I already set up a direct debit last week (mandate ref DD-88213). Should I still pay this one manually or will it be collected?\n\n"
           "Get Outlook for Android<https://aka.ms/AAb9ysg>\n________________________________\n"
           f"From: Brightwater Energy <{C}>\nSent: Tuesday, March 12, 2024 10:15:00 AM\n"
           "To: mike.r@outlook.com <mike.r@outlook.com>\nSubject: Reminder: invoice INV-2024-0815 is overdue\n\n" + o + "\n",
     expected="Hi there, I already set up a direct debit last week (mandate ref DD-88213). Should I still pay this one manually or will it be collected?",
     note="Greeting and text on one line; 'Get Outlook for Android' + underscore separator + header block.")

# 08 -- Samsung Email, base64, emoji
o = rem_en("Ms Brown", "INV-2024-0842", "EUR 58.20", "5 March 2024")
case(8, lang="en", client="Samsung Email (Android)", frm="Kelly Brown <kelly.b.1995@gmail.com>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0842"), date=when(13, 11, 2, 0),
     msgid="<20240313110214.Horde.samsung.7c1d2e3f@email.android.com>",
     plain="Will pay friday when i get paid \U0001F44D\n\n\n\nSent from my Galaxy\n\n\n"
           "-------- Original message --------\n"
           f"From: Brightwater Energy <{C}> \nDate: 12/03/2024 10:15 (GMT+00:00) \n"
           "To: kelly.b.1995@gmail.com \nSubject: " + SUBJ_EN.format(inv="INV-2024-0842") + " \n\n" + o + "\n",
     cte="base64",
     expected="Will pay friday when i get paid \U0001F44D",
     note="Emoji belongs to the new words. Samsung 'Sent from my Galaxy' and '-------- Original message --------' block.")

# 09 -- Outlook desktop, HTML only, remittance lines that look like headers
o = rem_en("Sir or Madam", "INV-2024-1102", "EUR 1,245.00", "29 February 2024")
new_html = mso([
    "Dear Sir/Madam,", "",
    "Please find our remittance details below:", "",
    "Amount: EUR 1,245.00",
    "Date paid: 11/03/2024",
    "Reference: +++123/4567/89012+++",
    "Paid from: BE68 5390 0754 7034", "",
    "Please update your records and stop any further reminders for this invoice.", "",
    "Kind regards,", "",
    '<b><span style="color:#1F3864">Anne-Marie Verhoeven</span></b>',
    '<span style="font-size:9.0pt;color:#595959">Accounts Payable | Northwind Logistics NV</span>',
    '<span style="font-size:9.0pt;color:#595959">Havenlaan 88, 2030 Antwerpen, Belgium</span>',
    '<span style="font-size:9.0pt;color:#595959">T +32 3 555 12 34 | <a href="http://www.northwind-logistics.be">www.northwind-logistics.be</a></span>', "",
    '<span style="font-size:7.5pt;color:gray">The information in this e-mail is confidential and may be legally privileged. '
    'It is intended solely for the addressee. Access to this e-mail by anyone else is unauthorised.</span>',
])
case(9, lang="en", client="Outlook desktop (Windows), HTML only", frm="Anne-Marie Verhoeven <am.verhoeven@northwind-logistics.be>",
     subject="RE: " + SUBJ_EN.format(inv="INV-2024-1102"), date=when(12, 11, 26, 1),
     msgid="<AS8PR04MB8118A2B3C4D5E6F7A8B9C0D1E2@AS8PR04MB8118.eurprd04.prod.outlook.com>",
     html_body=word_html("windows-1252", "EN-GB", new_html, ("From:", "Sent:", "To:", "Subject:"),
                         (f"Brightwater Energy &lt;{C}&gt;", "Tuesday, 12 March 2024 10:15",
                          "Anne-Marie Verhoeven &lt;am.verhoeven@northwind-logistics.be&gt;",
                          SUBJ_EN.format(inv="INV-2024-1102")), o),
     charset="windows-1252", linesep="\r\n",
     extra_headers=[("X-Mailer", "Microsoft Outlook 16.0")],
     expected="""Dear Sir/Madam,

Please find our remittance details below:

Amount: EUR 1,245.00 Date paid: 11/03/2024 Reference: +++123/4567/89012+++ Paid from: BE68 5390 0754 7034

Please update your records and stop any further reminders for this invoice.""",
     note="Word-generated HTML (MsoNormal paragraphs, empty <o:p>&nbsp;</o:p> paragraphs as blank lines). "
          "The 'Amount:/Date paid:/Reference:' lines look like headers but are the new words (one paragraph after normalisation). "
          "Signature + disclaimer, then the bordered From/Sent/To/Subject div.")

# 10 -- Apple Mail macOS, multipart/alternative, several paragraphs
o = rem_en("Mr Fletcher", "INV-2024-0699", "EUR 184.70", "20 February 2024")
new = ["Hello,", "",
       "I\u2019ve had three reminders from you now for the same invoice, and each time I\u2019ve explained that the amount is wrong. Your engineer replaced the meter on 6 February and the old meter was read incorrectly when it was removed.",
       "",
       "I\u2019m happy to pay what I actually owe, which by my calculation is \u20ac96.30 and not \u20ac184.70. I can send you the engineer\u2019s job sheet if needed.",
       "",
       "Could someone please phone me on 01632 960 555 instead of sending more emails? I\u2019m usually in the workshop from 8 till 4.",
       "", "Cheers,", "Jim"]
attr = f"On 12 Mar 2024, at 10:15, Brightwater Energy <{C}> wrote:"
case(10, lang="en", client="Apple Mail (macOS)", frm="Jim Fletcher <jim@fletcherjoinery.co.uk>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0699"), date=when(12, 16, 20, 0),
     msgid="<A7D3F1E2-5B6C-4D8E-9F0A-1B2C3D4E5F60@fletcherjoinery.co.uk>",
     plain="\n".join(new) + "\n\n> " + attr + "\n> \n" + q(o, empty="> ") + "\n",
     html_body=apple_html(new, esc(attr), o),
     extra_headers=[("X-Mailer", "Apple Mail (2.3774.400.31)")],
     expected="\n".join(new[:-3]),
     note="Long multi-paragraph reply; 'Cheers,' + first name is the sign-off. Apple Mail quotes the attribution line too ('> On ... wrote:').")

# 11 -- Gmail plain-text mode, wrapped attribution, 'Thx' + initial
o = rem_en("Mr Turner", "INV-2024-0866", "EUR 87.15", "6 March 2024")
case(11, lang="en", client="Gmail (web, plain text mode)", frm="Jake Turner <jaketurner@gmail.com>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0866"), date=when(12, 10, 58, 0),
     msgid="<CAB7r2Kp0qYxM4+e9WnT6dS1uF3hJ8cVb5g@mail.gmail.com>",
     plain="Done, paid it this morning (\u20ac87.15).\nThx\nJ.\n\n"
           "On Tue, Mar 12, 2024 at 10:15\u202fAM Brightwater Energy <\n" + C + "> wrote:\n\n" + q(o) + "\n",
     expected="Done, paid it this morning (\u20ac87.15).",
     hard=True,
     note="'Thx' and the initial 'J.' follow the sentence on single lines, without a blank line. "
          "I treat 'Thx' as the sign-off (a closing thanks directly above the signature); a human could also keep it as part of the message. "
          "The Gmail attribution line is wrapped after '<' and contains a narrow no-break space before 'AM'.")

# 12 -- old Outlook, -----Original Message-----
o = rem_en("Sir or Madam", "INV-2024-0815", "EUR 142.50", "1 March 2024")
new = ("Please remove this address from your records. We are a letting agency, not your customer \u2013 the account holder "
       "was the previous tenant at 3 Elm Court, who left on 15 January 2024. We don\u2019t have a forwarding address for him.")
case(12, lang="en", client="Outlook 2010 (Windows)", frm="Greenfield Lettings <info@greenfield-lettings.co.uk>",
     subject="RE: " + SUBJ_EN.format(inv="INV-2024-0815"), date=when(12, 12, 5, 0),
     msgid="<000601da7466$3b2c1d40$b18457c0$@greenfield-lettings.co.uk>",
     plain=new + "\n\n-----Original Message-----\n"
           f"From: Brightwater Energy [mailto:{C}] \nSent: 12 March 2024 10:15\n"
           "To: info@greenfield-lettings.co.uk\nSubject: " + SUBJ_EN.format(inv="INV-2024-0815") + "\n\n" + o + "\n",
     charset="windows-1252", cte="8bit", linesep="\r\n",
     extra_headers=[("X-Mailer", "Microsoft Outlook 14.0")],
     expected=new,
     note="No greeting, no signature. '-----Original Message-----' separator with the [mailto:] From line.")

# 13 -- Gmail, the sender pastes an earlier message of their own under a Forwarded separator
o1 = rem_en("Ms Bennett", "INV-2024-0412", "EUR 64.90", "10 February 2024", ogm="+++090/1234/56789+++")
o2 = rem_en("Ms Bennett", "INV-2024-0412", "EUR 64.90", "10 February 2024", ogm="+++090/1234/56789+++")
fwd = ("---------- Forwarded message ---------\n"
       "From: Laura Bennett <laura.bennett@gmail.com>\n"
       "Date: Mon, 19 Feb 2024 at 18:22\n"
       "Subject: Re: " + SUBJ_EN.format(inv="INV-2024-0412") + "\n"
       f"To: Brightwater Energy <{C}>\n\n\n"
       "Hello, I paid this in full on 16 February (\u20ac64.90), reference +++090/1234/56789+++.\n\nLaura\n\n"
       f"On Thu, 15 Feb 2024 at 09:00, Brightwater Energy <{C}> wrote:\n\n" + q(o1))
case(13, lang="en", client="Gmail (web)", frm="Laura Bennett <laura.bennett@gmail.com>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0412"), date=when(12, 19, 40, 0),
     msgid="<CAHg5tR9vN2mQ+kL7xW0pZ3aB6cD1eF4gH8@mail.gmail.com>",
     plain="I already replied to this in February, see below. Please stop sending me reminders for an invoice that has been paid.\n\nLaura\n\n"
           + fwd + "\n\n\n" + f"On Tue, 12 Mar 2024 at 10:15, Brightwater Energy <{C}> wrote:\n\n" + q(o2) + "\n",
     expected="I already replied to this in February, see below. Please stop sending me reminders for an invoice that has been paid.",
     hard=True,
     note="Below her new note and name, the sender pasted her own earlier reply under a '---------- Forwarded message ---------' separator. "
          "That older text (payment on 16 February) is hers but it is not new in this message, so it is excluded; "
          "a human could hesitate because it carries the useful facts.")

# 14 -- Yahoo Mail web, HTML only
o = rem_en("Ms Okafor", "INV-2024-0815", "EUR 142.50", "1 March 2024")
yahoo = ('<html><head></head><body><div class="ydp6a0b3c1cyahoo-style-wrap" style="font-family:Helvetica Neue, Helvetica, Arial, sans-serif;font-size:13px;"><div></div>\n'
         '        <div dir="ltr" data-setdir="false">Hello,</div><div dir="ltr" data-setdir="false"><br></div>'
         '<div dir="ltr" data-setdir="false">Which invoice is this about? I have two accounts with you (customer numbers 4401-227 and 4401-391) and both are paid by standing order.</div>'
         '<div dir="ltr" data-setdir="false"><br></div><div dir="ltr" data-setdir="false">Thank you,</div>'
         '<div dir="ltr" data-setdir="false">Rita</div><div><br></div>\n        \n        </div>'
         '<div id="yahoo_quoted_8123456789" class="yahoo_quoted">\n'
         '            <div style="font-family:\'Helvetica Neue\', Helvetica, Arial, sans-serif;font-size:13px;color:#26282a;">\n'
         '                \n                <div>\n'
         f'                    On Tuesday, March 12, 2024 at 10:15:32 AM GMT, Brightwater Energy &lt;{C}&gt; wrote:\n'
         '                </div>\n                <div><br></div>\n                <div><br></div>\n'
         f'                <div><div id="yiv1234567890">{orig_div(o)}</div></div>\n'
         '            </div>\n        </div></body></html>\n')
case(14, lang="en", client="Yahoo Mail (web), HTML only", frm="Rita Okafor <rita.okafor@yahoo.com>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0815"), date=when(13, 20, 12, 0),
     msgid="<1182736450.3344556.1710360732000@mail.yahoo.com>",
     html_body=yahoo, cte="quoted-printable",
     expected="Hello,\n\nWhich invoice is this about? I have two accounts with you (customer numbers 4401-227 and 4401-391) and both are paid by standing order.",
     note="Yahoo HTML: quote in div.yahoo_quoted; 'Thank you,' + name is the sign-off.")

# 15 -- GMX (English UI), plain + PDF attachment, unquoted original under Sent/From/To/Subject
o = rem_en("Mr Nowak", "INV-2024-0815", "EUR 142.50", "1 March 2024")
case(15, lang="en", client="GMX (web, English)", frm="Tomasz Nowak <tomasz.nowak@gmx.com>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0815"), date=when(13, 19, 12, 1),
     msgid="<trinity-5e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7-1710353520123@3c-app-mailcom-bs04>",
     plain="Hello,\n\nI have paid already on 05.03.2024, see attached bank statement. Amount 142,50 EUR.\n\nBest regards\nTomasz Nowak\n\n\n"
           "Sent: Tuesday, March 12, 2024 at 10:15 AM\n"
           f"From: \"Brightwater Energy\" <{C}>\nTo: tomasz.nowak@gmx.com\n"
           "Subject: " + SUBJ_EN.format(inv="INV-2024-0815") + "\n" + o + "\n",
     charset="iso-8859-1",
     attachments=[("wyciag_2024-03-05.pdf", "application/pdf", FAKE_PDF)],
     expected="Hello,\n\nI have paid already on 05.03.2024, see attached bank statement. Amount 142,50 EUR.",
     note="Non-native English. GMX header block starts with 'Sent:' (not 'From:') and the original follows unquoted. PDF attachment.")

# 16 -- Outlook for Mac, PS after the signature
o = rem_en("Mr Clarke", "INV-2024-0731", "EUR 220.00", "23 February 2024")
case(16, lang="en", client="Outlook for Mac", frm="Chris Clarke <chris@clarkebuilders.co.uk>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0731"), date=when(12, 17, 30, 0),
     msgid="<5C2E8A91-0F4B-4D7C-B3A6-9E1D2C3B4A50@clarkebuilders.co.uk>",
     plain="Hi,\n\nPayment of \u20ac220.00 was made today from account GB29 NWBK 6016 1331 9268 19, reference +++123/4567/89012+++.\n\n"
           "Regards,\nChris\n\nPS: please send future invoices to accounts@clarkebuilders.co.uk rather than to my personal address.\n\n"
           f"From: Brightwater Energy <{C}>\nDate: Tuesday, 12 March 2024 at 10:15\n"
           "To: Chris Clarke <chris@clarkebuilders.co.uk>\nSubject: " + SUBJ_EN.format(inv="INV-2024-0731") + "\n\n" + o + "\n",
     extra_headers=[("User-Agent", "Microsoft-MacOutlook/16.83.24031120")],
     expected="Hi,\n\nPayment of \u20ac220.00 was made today from account GB29 NWBK 6016 1331 9268 19, reference +++123/4567/89012+++.\n\n"
              "PS: please send future invoices to accounts@clarkebuilders.co.uk rather than to my personal address.",
     hard=True,
     note="A PS written after the sign-off 'Regards, Chris'. The PS is new content from the sender, so it is kept and the sign-off between is dropped; "
          "an extractor that cuts at the first sign-off would lose it. Outlook for Mac header block uses 'Date:' instead of 'Sent:'.")

# 17 -- Gmail for Android, sign-off on the same line
o = rem_en("Mr Walker", "INV-2024-0815", "EUR 142.50", "1 March 2024")
case(17, lang="en", client="Gmail (Android app)", frm="Ben Walker <ben.walker.uk@gmail.com>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0815"), date=when(12, 22, 14, 0),
     msgid="<CAN3x7Lr5pW1+qT0mZk9cV2bN4jH6dS8fGa@mail.gmail.com>",
     plain="Will call you tomorrow morning on the number in your letter. Regards, Ben\n\n"
           f"On Tue, 12 Mar 2024, 10:15 Brightwater Energy, <{C}> wrote:\n\n" + q(o) + "\n",
     expected="Will call you tomorrow morning on the number in your letter.",
     hard=True,
     note="Sign-off 'Regards, Ben' is on the same line as the message; it is removed. Gmail Android attribution has a comma after the name.")

# 18 -- Outlook on the web (new Outlook), HTML only, base64
o = rem_en("Mr Walsh", "INV-2024-0815", "EUR 142.50", "1 March 2024")
new = ["Hi,", "",
       "This account is in the name of my late father, John Walsh, who passed away on 2 February 2024. I am the executor of his estate. Please put the account on hold and send all further correspondence to me.",
       "",
       "The solicitor dealing with the estate is Murphy & Co, you can reach them on 01 234 5678 (ref. WAL/2024/17).",
       "", "Many thanks,", "Claire Walsh"]
case(18, lang="en", client="Outlook on the web / new Outlook, HTML only", frm="Claire Walsh <claire.walsh@outlook.ie>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0815"), date=when(14, 9, 17, 0),
     msgid="<DU0PR03MB9121B4C5D6E7F8091A2B3C4D5E@DU0PR03MB9121.eurprd03.prod.outlook.com>",
     html_body=owa_html(new, ("From:", "Sent:", "To:", "Subject:"),
                        (f"Brightwater Energy &lt;{C}&gt;", "Tuesday, March 12, 2024 10:15 AM",
                         "claire.walsh@outlook.ie &lt;claire.walsh@outlook.ie&gt;", SUBJ_EN.format(inv="INV-2024-0815")), o),
     cte="base64",
     expected="\n".join(new[:-3]),
     note="Outlook web HTML (div.elementToProof, hr + div#divRplyFwdMsg). '&' is escaped in the HTML. Sensitive content (deceased account holder).")

# 19 -- Mail for Windows, name-only signature
o = rem_en("Ms Morris", "INV-2024-0856", "EUR 142.50", "4 March 2024")
case(19, lang="en", client="Mail for Windows 10", frm="Janet Morris <janet.morris@btinternet.com>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0856"), date=when(12, 13, 2, 0),
     msgid="<65f0532a.5d0a0220.1b2c3.4d5e@mx.google.com>",
     plain="Hello\n\nI can only pay half now (\u20ac71.25) and the rest on 30/04. Is that ok?\n\nJanet\n\nSent from Mail for Windows\n\n"
           "From: Brightwater Energy\nSent: 12 March 2024 10:15\nTo: janet.morris@btinternet.com\n"
           "Subject: " + SUBJ_EN.format(inv="INV-2024-0856") + "\n\n" + o + "\n",
     linesep="\r\n",
     expected="Hello\n\nI can only pay half now (\u20ac71.25) and the rest on 30/04. Is that ok?",
     note="Signature is only the first name, then 'Sent from Mail for Windows' and a header block without e-mail address.")

# 20 -- Outlook for iOS, 'Thanks!' is the whole message
o = conf_en("Ms Shah", 3, "EUR 60.00", "1 April, 1 May and 1 June 2024")
case(20, lang="en", client="Outlook for iOS", frm="Priya Shah <priya.shah@hotmail.co.uk>",
     subject="Re: " + SUBJ_EN.format(inv="INV-2024-0815"), date=when(15, 8, 33, 0),
     msgid="<LO2P265MB5012C6D7E8F90A1B2C3D4E5F60@LO2P265MB5012.GBRP265.PROD.OUTLOOK.COM>",
     plain="Thanks!\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n________________________________\n"
           f"From: Brightwater Energy <{C}>\nSent: Thursday, March 14, 2024 4:20:00 PM\n"
           "To: priya.shah@hotmail.co.uk <priya.shah@hotmail.co.uk>\n"
           "Subject: Re: " + SUBJ_EN.format(inv="INV-2024-0815") + "\n\n" + o + "\n",
     expected="Thanks!",
     hard=True,
     note="The whole reply is 'Thanks!' (acknowledging a payment-plan confirmation). Normally a closing word, "
          "here it is the only new content, so it must be kept.")


# ==========================================================================
# FRENCH
# ==========================================================================

# 21 -- Gmail web FR, multipart/alternative
o = rem_fr("Madame Martin", "FAC-2024-0815", "142,50 EUR", "01/03/2024")
new = ["Bonjour,", "",
       "Je conteste cette facture : je n'habite plus à cette adresse depuis le 1er janvier 2024 et j'ai résilié mon contrat à cette date. Le nouveau locataire est M. Lambert.",
       "", "Cordialement,", "Sophie Martin"]
attr = f"Le mar. 12 mars 2024 à 10:15, Brightwater Energy <{C}> a écrit{NB}:"
case(21, lang="fr", client="Gmail (web, French UI)", frm="Sophie Martin <sophie.martin.75@gmail.com>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0815"), date=when(12, 11, 40),
     msgid="<CAFt9pQ2wR8xV+mN3kL0bJ5cH7dG1sA4eZy@mail.gmail.com>",
     plain="\n".join(new) + "\n\n" + attr + "\n\n" + q(o) + "\n",
     html_body=gmail_html(new, f'Le mar. 12 mars 2024 à 10:15, Brightwater Energy &lt;<a href="mailto:{C}">{C}</a>&gt; a écrit&nbsp;:', o),
     expected="Bonjour,\n\nJe conteste cette facture : je n'habite plus à cette adresse depuis le 1er janvier 2024 et j'ai résilié mon contrat à cette date. Le nouveau locataire est M. Lambert.",
     note="French Gmail attribution 'Le mar. 12 mars 2024 à 10:15, ... a écrit :' with a no-break space before the colon.")

# 22 -- Outlook desktop FR, plain, 'Objet :' line at the top of the new words
o = rem_fr("Monsieur Moreau", "FAC-2024-1120", "1 284,60 EUR", "29/02/2024")
new = f"""Objet : contestation de la facture FAC-2024-1120

Madame, Monsieur,

Nous contestons formellement la facture FAC-2024-1120 d'un montant de 1{NB}284,60{NB}€. Le four industriel a été à l'arrêt du 5 au 26 février pour réparation, la consommation facturée pour cette période est donc impossible.

Nous vous demandons de suspendre toute procédure de recouvrement et de nous adresser une facture rectificative."""
sig = """Bien à vous,

Jean-Luc Moreau
Gérant – Boulangerie Moreau SRL
Rue de la Station 12, 1300 Wavre
Tél. : 010 22 33 44
TVA BE 0456.789.123"""
hdr = f"""De{NB}: Brightwater Energy <{C}>
Envoyé{NB}: mardi 12 mars 2024 10:15
À{NB}: Jean-Luc Moreau <jl.moreau@boulangerie-moreau.be>
Objet{NB}: Rappel : facture FAC-2024-1120 impayée"""
case(22, lang="fr", client="Outlook desktop (Windows, French UI)", frm="Jean-Luc Moreau <jl.moreau@boulangerie-moreau.be>",
     subject="RE: " + SUBJ_FR.format(inv="FAC-2024-1120"), date=when(13, 8, 55),
     msgid="<PR3PR02MB6201A1B2C3D4E5F60718293A4B@PR3PR02MB6201.eurprd02.prod.outlook.com>",
     plain=new + "\n\n" + sig + "\n\n" + hdr + "\n\n" + o + "\n", charset="windows-1252", linesep="\r\n",
     extra_headers=[("X-Mailer", "Microsoft Outlook 16.0")],
     expected=new,
     note="The new words start with 'Objet : contestation ...', typed by the sender, while the real Outlook header block below also has 'Objet :' "
          "(with no-break spaces before the colons). Amount with no-break spaces (normalised to plain spaces). Company signature with VAT number.")

# 23 -- Gmail web FR, HTML only, with Gmail signature
o = rem_fr("Madame Lefèbvre", "FAC-2024-0815", "142,50 EUR", "01/03/2024")
new = ["Bonjour,", "",
       "Voici les détails du paiement : virement de 142,50 € effectué le 10/03/2024 depuis le compte BE43 0689 9999 9501 avec la communication +++123/4567/89012+++.",
       "", "Bonne journée,", "Nathalie"]
case(23, lang="fr", client="Gmail (web, French UI), HTML only", frm="Nathalie Lefèbvre <nathalie.lefebvre@gmail.com>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0815"), date=when(12, 15, 2),
     msgid="<CAKd4sW0pN6yT+vR2mH8xL1qB5cJ9fG3eUa@mail.gmail.com>",
     html_body=gmail_html(new, f'Le mar. 12 mars 2024 à 10:15, Brightwater Energy &lt;<a href="mailto:{C}">{C}</a>&gt; a écrit&nbsp;:', o,
                          sig_lines=["Nathalie Lefèbvre", "0475 12 34 56"]),
     expected="Bonjour,\n\nVoici les détails du paiement : virement de 142,50 € effectué le 10/03/2024 depuis le compte BE43 0689 9999 9501 avec la communication +++123/4567/89012+++.",
     note="IBAN, date, amount and structured reference are new words. 'Bonne journée,' + first name is the sign-off, followed by a Gmail signature block ('-- ').")

# 24 -- iPhone FR, 'Ok merci'
o = conf_fr("Monsieur Girard", 3, "80,00 EUR", "5 avril, 5 mai et 5 juin 2024")
case(24, lang="fr", client="Apple Mail (iPhone, French)", frm="Alain Girard <alain.girard@icloud.com>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0815"), date=when(15, 7, 12),
     msgid="<B2E4C6A8-1D3F-4A5B-8C7D-9E0F1A2B3C4D@icloud.com>",
     plain="Ok merci\n\nEnvoyé de mon iPhone\n\n" + f"> Le 14 mars 2024 à 16:20, Brightwater Energy <{C}> a écrit{NB}:\n> \n" + q(o, empty="> ") + "\n",
     extra_headers=[("X-Mailer", "iPhone Mail (21D61)")],
     expected="Ok merci",
     note="Two-word acknowledgement of a payment plan; 'merci' here is the message, not a sign-off.")

# 25 -- Free (Zimbra webmail), SMS style, no accents
o = rem_fr("Monsieur Durand", "FAC-2024-0902", "150,00 EUR", "05/03/2024")
case(25, lang="fr", client="Free webmail (Zimbra)", frm="kevin durand <kevin.durand@free.fr>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0902"), date=when(12, 23, 47),
     msgid="<1183920472.554433221.1710283620123.JavaMail.root@zimbra61-e11.priv.proxad.net>",
     plain="bonjour je vais payer en 3 fois si c possible 50 euros par mois a partir du 5 avril\nmerci de me confirmer\n\n"
           "----- Mail original -----\n"
           f"De: \"Brightwater Energy\" <{C}>\nÀ: \"kevin durand\" <kevin.durand@free.fr>\n"
           "Envoyé: Mardi 12 Mars 2024 10:15:32\nObjet: " + SUBJ_FR.format(inv="FAC-2024-0902") + "\n\n" + o + "\n",
     cte="8bit",
     extra_headers=[("X-Mailer", "Zimbra 8.8.15_GA_4562 (ZimbraWebClient - FF123 (Linux)/8.8.15_GA_4562)")],
     expected="bonjour je vais payer en 3 fois si c possible 50 euros par mois a partir du 5 avril merci de me confirmer",
     note="No capitals, no accents, SMS abbreviation ('c possible'). 'merci de me confirmer' is a request, part of the new words. "
          "Zimbra '----- Mail original -----' block, original not '>'-quoted.")

# 26 -- SFR webmail, 'Cdlt' without blank lines, iso-8859-1
o = rem_fr("Monsieur Petit", "FAC-2024-0815", "142,50 EUR", "01/03/2024")
case(26, lang="fr", client="SFR Mail (webmail)", frm="Michel Petit <michel.petit@sfr.fr>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0815"), date=when(13, 10, 21),
     msgid="<1728465912.7788.1710321660543.JavaMail.www@wwinf2215>",
     plain="Bonjour,\nJ'ai déjà réglé cette facture par chèque n° 2045871 envoyé le 4 mars.\nCdlt\nM. Petit\n\n"
           "> Message du 12/03/24 10:15\n> De : \"Brightwater Energy\" \n> A : michel.petit@sfr.fr\n> Copie à : \n"
           "> Objet : " + SUBJ_FR.format(inv="FAC-2024-0815") + "\n>\n" + q(o) + "\n",
     charset="iso-8859-1",
     expected="Bonjour, J'ai déjà réglé cette facture par chèque n° 2045871 envoyé le 4 mars.",
     note="Greeting, sentence, 'Cdlt' (cordialement) and name on consecutive lines; greeting and sentence join into one paragraph. "
          "SFR/Orange-style quoted header '> Message du ... > De : ... > A : ... > Copie à : ... > Objet :'.")

# 27 -- Outlook desktop FR, HTML only, signature with eco banner and disclaimer
o = rem_fr("Madame Fontaine", "FAC-2024-0988", "2 450,00 EUR", "15/02/2024")
new_html = mso([
    "Bonjour,", "",
    "Suite à notre entretien téléphonique de ce matin avec votre collègue, Mme Renard, je vous confirme que le solde de 2&nbsp;450,00&nbsp;€ sera réglé par virement au plus tard le 29 mars 2024.", "",
    "Merci de suspendre la procédure de recouvrement d’ici là.", "",
    "Cordialement,", "",
    '<b><span style="color:#C00000">Isabelle Fontaine</span></b>',
    '<span style="font-size:9.0pt">Responsable comptabilité</span>',
    '<span style="font-size:9.0pt">Fontaine &amp; Fils SA | 45 avenue Jean Jaurès, 69007 Lyon</span>',
    '<span style="font-size:9.0pt">Tél.&nbsp;: +33 4 72 00 00 00</span>', "",
    '<span style="font-size:10.0pt;font-family:Wingdings;color:green">P</span><span style="font-size:8.0pt;color:green"> Pensez à l’environnement avant d’imprimer ce courriel.</span>', "",
    '<span style="font-size:7.0pt;color:gray">Ce message et toutes les pièces jointes sont confidentiels et établis à l’intention exclusive de ses destinataires. '
    'Toute utilisation ou diffusion non autorisée est interdite. Si vous avez reçu ce message par erreur, merci de le détruire et d’en avertir immédiatement l’expéditeur.</span>',
])
case(27, lang="fr", client="Outlook desktop (Windows, French UI), HTML only", frm="Isabelle Fontaine <i.fontaine@fontaine-fils.fr>",
     subject="RE: " + SUBJ_FR.format(inv="FAC-2024-0988"), date=when(12, 16, 8),
     msgid="<PAZP264MB2871F0E1D2C3B4A5968778695A@PAZP264MB2871.FRAP264.PROD.OUTLOOK.COM>",
     html_body=word_html("windows-1252", "FR", new_html, ("De&nbsp;:", "Envoyé&nbsp;:", "À&nbsp;:", "Objet&nbsp;:"),
                         (f"Brightwater Energy &lt;{C}&gt;", "mardi 12 mars 2024 10:15",
                          "Isabelle Fontaine &lt;i.fontaine@fontaine-fils.fr&gt;", SUBJ_FR.format(inv="FAC-2024-0988")), o),
     charset="windows-1252", linesep="\r\n",
     extra_headers=[("X-Mailer", "Microsoft Outlook 16.0")],
     expected="Bonjour,\n\nSuite à notre entretien téléphonique de ce matin avec votre collègue, Mme Renard, je vous confirme que le solde de 2 450,00 € sera réglé par virement au plus tard le 29 mars 2024.\n\nMerci de suspendre la procédure de recouvrement d’ici là.",
     note="Word HTML with '&nbsp;' inside the amount and before the colons of the French header labels ('De&nbsp;:'). "
          "'Merci de suspendre ...' is a request (kept); the Wingdings 'P' eco banner and the disclaimer belong to the signature.")

# 28 -- laposte.net webmail
o = rem_fr("Monsieur Bernard", "FAC-2024-0815", "142,50 EUR", "01/03/2024")
case(28, lang="fr", client="Laposte.net webmail", frm="Gérard Bernard <gerard.bernard@laposte.net>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0815"), date=when(12, 20, 31),
     msgid="<1554712398.1122334.1710271860777.JavaMail.zimbra@laposte.net>",
     plain="Bonsoir,\n\nJe ne comprends pas ce rappel. J'ai payé 142,50 € le 2 mars par virement, vous pouvez vérifier. "
           "Si vous avez besoin d'un justificatif je peux vous l'envoyer.\n\nSalutations\nG. Bernard\n\n"
           "----- Mail d’origine -----\n"
           f"De: Brightwater Energy <{C}>\nÀ: gerard.bernard@laposte.net\nEnvoyé: mardi 12 mars 2024 10:15\n"
           "Objet: " + SUBJ_FR.format(inv="FAC-2024-0815") + "\n\n" + o + "\n",
     expected="Bonsoir,\n\nJe ne comprends pas ce rappel. J'ai payé 142,50 € le 2 mars par virement, vous pouvez vérifier. Si vous avez besoin d'un justificatif je peux vous l'envoyer.",
     note="'Salutations' + initial and surname as sign-off; '----- Mail d’origine -----' separator (typographic apostrophe).")

# 29 -- Outlook for Android FR, base64, phone number in the sentence
o = rem_fr("Monsieur Haddad", "FAC-2024-0815", "142,50 EUR", "01/03/2024")
case(29, lang="fr", client="Outlook for Android (French)", frm="Yanis Haddad <yanis.haddad@outlook.fr>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0815"), date=when(13, 8, 47),
     msgid="<PR1P264MB3456B7C8D9E0F1A2B3C4D5E6F7@PR1P264MB3456.FRAP264.PROD.OUTLOOK.COM>",
     plain="Bonjour, pouvez-vous m'appeler au 06 12 34 56 78 entre 12h et 14h ? Je souhaiterais mettre en place un échéancier.\n\n"
           "Obtenir Outlook pour Android<https://aka.ms/AAb9ysg>\n________________________________\n"
           f"De : Brightwater Energy <{C}>\nEnvoyé : mardi 12 mars 2024 10:15:00\n"
           "À : yanis.haddad@outlook.fr <yanis.haddad@outlook.fr>\nObjet : " + SUBJ_FR.format(inv="FAC-2024-0815") + "\n\n" + o + "\n",
     cte="base64",
     expected="Bonjour, pouvez-vous m'appeler au 06 12 34 56 78 entre 12h et 14h ? Je souhaiterais mettre en place un échéancier.",
     note="Phone number inside the sentence is part of the new words. 'Obtenir Outlook pour Android' + French header block.")

# 30 -- Thunderbird FR, closing sentence 'Merci d'avance ...', '-- ' signature
o = rem_fr("Monsieur Garnier", "FAC-2024-0911", "342,18 EUR", "04/03/2024")
new = f"""Bonjour,

Le montant indiqué (342,18 €) ne correspond pas à ma dernière facture, qui était de 298,40 €. D'où viennent les 43,78 € de différence{NB}? Des frais de rappel{NB}?

Merci d'avance pour vos explications."""
case(30, lang="fr", client="Thunderbird (Linux, French)", frm="Pierre-Yves Garnier <py.garnier@orange.fr>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0911"), date=when(12, 18, 5),
     msgid="<8a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d@orange.fr>",
     plain=new + "\n\n-- \nPierre-Yves Garnier\nIngénieur d'études – CNRS\n04 76 00 00 00\n\n"
           "Le 12/03/2024 à 10:15, Brightwater Energy a écrit\u00a0:\n" + q(o) + "\n",
     cte="8bit", params={"format": "flowed"},
     extra_headers=[("User-Agent", "Mozilla Thunderbird")],
     expected=new,
     hard=True,
     note="'Merci d'avance pour vos explications.' is a polite closing sentence standing alone before the '-- ' signature. "
          "I keep it (a full sentence, no name after it, the signature is marked by '-- '); a human could treat it as the sign-off. "
          "No-break spaces before '?' (French typography).")

# 31 -- Apple Mail macOS FR, HTML only
o = rem_fr("Madame Rousseau", "FAC-2024-0815", "142,50 EUR", "01/03/2024")
new = ["Bonjour,", "",
       "Le paiement de 142,50 € a été fait aujourd’hui par virement. Désolée pour le retard, j’étais à l’étranger.",
       "", "Bien cordialement", "Hélène"]
case(31, lang="fr", client="Apple Mail (macOS, French), HTML only", frm="Hélène Rousseau <helene.rousseau@me.com>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0815"), date=when(12, 19, 44),
     msgid="<E3F5A7C9-2B4D-4F6A-8C0E-1A3B5C7D9E0F@me.com>",
     html_body=apple_html(new, f"Le 12 mars 2024 à 10:15, Brightwater Energy &lt;{C}&gt; a écrit&nbsp;:", o),
     extra_headers=[("X-Mailer", "Apple Mail (2.3774.400.31)")],
     expected="Bonjour,\n\nLe paiement de 142,50 € a été fait aujourd’hui par virement. Désolée pour le retard, j’étais à l’étranger.",
     note="Apple Mail HTML: first line is bare text in <body>, then <div>s; the quote is a blockquote type=cite.")

# 32 -- Proximus / Skynet webmail (Open-Xchange), French, 'Bàv'
o = rem_fr("Madame El Amrani", "FAC-2024-0950", "412,30 EUR", "01/03/2024")
case(32, lang="fr", client="Skynet / Proximus webmail (Open-Xchange, French)", frm="Fatima El Amrani <fatima.elamrani@skynet.be>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0950"), date=when(13, 14, 26),
     msgid="<1894372651.228844.1710336360111@webmail.proximus.be>",
     plain="Bonjour,\n\nJe suis en incapacité de travail depuis décembre et je ne peux pas payer 412,30 € en une fois. "
           "Je peux payer 25 € par mois. Mon numéro de client est le 5512 0087.\n\nBàv\nFatima El Amrani\n\n"
           f"> Le 12/03/2024 10:15 CET Brightwater Energy <{C}> a écrit :\n> \n> \n" + q(o, empty="> ") + "\n",
     extra_headers=[("X-Mailer", "Open-Xchange Mailer v7.10.6-Rev56")],
     expected="Bonjour,\n\nJe suis en incapacité de travail depuis décembre et je ne peux pas payer 412,30 € en une fois. Je peux payer 25 € par mois. Mon numéro de client est le 5512 0087.",
     note="Belgian French sign-off 'Bàv' (Bien à vous). Open-Xchange attribution with time zone 'CET'.")

# 33 -- Outlook desktop FR, bilingual sign-off and bilingual disclaimer, -----Message d'origine-----
o = rem_fr("Madame, Monsieur", "FAC-2024-1033", "3 718,20 EUR", "28/02/2024")
case(33, lang="fr", client="Outlook 2016 (Windows, French UI)", frm="Laurent Dubois <laurent.dubois@vandenbroeck-group.be>",
     subject="RE: " + SUBJ_FR.format(inv="FAC-2024-1033"), date=when(12, 10, 49),
     msgid="<003b01da7459$9f8e7d60$deab7820$@vandenbroeck-group.be>",
     plain="Bonjour,\n\nNotre service comptable a bien reçu votre rappel. La facture FAC-2024-1033 (3 718,20 €) sera payée lors de notre prochain run de paiement du 20/03.\n\n"
           "Meilleures salutations / Met vriendelijke groeten,\n\nLaurent Dubois\nAccounts Payable\nVandenbroeck Group SA/NV\nT +32 2 555 01 23\n\n"
           "AVERTISSEMENT : Ce message et ses annexes sont confidentiels. Si vous n'êtes pas le destinataire, merci de le détruire et d'en avertir l'expéditeur.\n"
           "DISCLAIMER: Dit bericht en de bijlagen zijn vertrouwelijk. Indien u niet de geadresseerde bent, gelieve het te vernietigen en de afzender te verwittigen.\n\n"
           "-----Message d'origine-----\n"
           f"De : Brightwater Energy <{C}> \nEnvoyé : mardi 12 mars 2024 10:15\n"
           "À : Comptabilité <compta@vandenbroeck-group.be>\nObjet : " + SUBJ_FR.format(inv="FAC-2024-1033") + "\n\n" + o + "\n",
     charset="windows-1252", cte="8bit", linesep="\r\n",
     extra_headers=[("X-Mailer", "Microsoft Outlook 16.0")],
     expected="Bonjour,\n\nNotre service comptable a bien reçu votre rappel. La facture FAC-2024-1033 (3 718,20 €) sera payée lors de notre prochain run de paiement du 20/03.",
     note="Brussels company: bilingual FR/NL sign-off and bilingual disclaimer, English job title; '-----Message d'origine-----' separator.")

# 34 -- Yahoo Mail Android FR
o = rem_fr("Madame Charpentier", "FAC-2024-0815", "142,50 EUR", "01/03/2024")
case(34, lang="fr", client="Yahoo Mail (Android app, French)", frm="Nadine Charpentier <nadine.charpentier@yahoo.fr>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0815"), date=when(14, 12, 3),
     msgid="<1566778899.2233445.1710414180000@mail.yahoo.com>",
     plain="Bonjour je nai jamais reçu cette facture pouvez vous me la renvoyer par mail svp\n\nEnvoyé de Yahoo Mail pour Android\n\n"
           f"  Le mar., mars 12, 2024 à 10:15, Brightwater Energy<{C}> a écrit :   " + q(o, prefix="   ", empty="   ") + "\n",
     expected="Bonjour je nai jamais reçu cette facture pouvez vous me la renvoyer par mail svp",
     note="Missing apostrophe and punctuation. Yahoo Android puts the attribution and the first quoted line on the same line, quoted text indented by spaces, no '>'.")

# 35 -- Hotmail / Outlook.com FR, 'A+', emoji, base64
o = rem_fr("Monsieur Leroy", "FAC-2024-0815", "142,50 EUR", "01/03/2024")
case(35, lang="fr", client="Hotmail / Outlook.com (web, French)", frm="Thomas Leroy <thomas.leroy93@hotmail.fr>",
     subject="RE: " + SUBJ_FR.format(inv="FAC-2024-0815"), date=when(13, 9, 9),
     msgid="<PAVP195MB2233E4F5A6B7C8D9E0F1A2B3C4@PAVP195MB2233.EURP195.PROD.OUTLOOK.COM>",
     plain="Salut,\nc'est bon j'ai payé hier soir par virement instantané \U0001F609\nA+\nThomas\n\n________________________________\n"
           f"De : Brightwater Energy <{C}>\nEnvoyé : mardi 12 mars 2024 10:15\n"
           "À : thomas.leroy93@hotmail.fr <thomas.leroy93@hotmail.fr>\nObjet : " + SUBJ_FR.format(inv="FAC-2024-0815") + "\n\n" + o + "\n",
     cte="base64",
     expected="Salut, c'est bon j'ai payé hier soir par virement instantané \U0001F609",
     note="Informal: 'Salut', emoji, 'A+' (à plus) as sign-off with the first name, all on consecutive lines.")

# 36 -- Outlook for iOS FR, HTML only
o = rem_fr("Madame Nguyen", "FAC-2024-0815", "142,50 EUR", "01/03/2024")
ios = ('<html><head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>'
       '<body><div dir="auto">Bonjour,</div><div dir="auto"><br></div>'
       '<div dir="auto">Merci de noter que mon adresse a changé&nbsp;: 8 rue des Lilas, 59000 Lille. Je réglerai la facture dès réception du courrier.</div>'
       '<div dir="auto"><br></div><div dir="auto">Camille</div><div dir="auto"><br></div>'
       '<div id="ms-outlook-mobile-signature" dir="auto"><div dir="auto" style="direction:ltr">Obtenir <a href="https://aka.ms/o0ukef">Outlook pour iOS</a></div></div>'
       '<div id="mail-editor-reference-message-container" dir="auto"><br>\n<hr style="display:inline-block;width:98%" tabindex="-1">\n'
       '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">'
       f'<b>De :</b> Brightwater Energy &lt;{C}&gt;<br>\n<b>Envoyé :</b> mardi, mars 12, 2024 10:15 AM<br>\n'
       '<b>À :</b> camille.nguyen@outlook.com &lt;camille.nguyen@outlook.com&gt;<br>\n'
       f'<b>Objet :</b> {SUBJ_FR.format(inv="FAC-2024-0815")}</font>\n<div>&nbsp;</div>\n</div>\n{orig_div(o)}\n</div>\n</body></html>\n')
case(36, lang="fr", client="Outlook for iOS (French), HTML only", frm="Camille Nguyen <camille.nguyen@outlook.com>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0815"), date=when(12, 12, 55),
     msgid="<AM9P192MB1234A5B6C7D8E9F0A1B2C3D4E5@AM9P192MB1234.EURP192.PROD.OUTLOOK.COM>",
     html_body=ios,
     expected="Bonjour,\n\nMerci de noter que mon adresse a changé : 8 rue des Lilas, 59000 Lille. Je réglerai la facture dès réception du courrier.",
     note="Outlook iOS HTML: signature div#ms-outlook-mobile-signature, quote in div#mail-editor-reference-message-container. &nbsp; before the colon.")

# 37 -- Samsung FR, sign-off on the same line
o = rem_fr("Madame Roux", "FAC-2024-0815", "142,50 EUR", "01/03/2024")
case(37, lang="fr", client="Samsung Email (Android, French)", frm="Christiane Roux <roux.christiane@orange.fr>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0815"), date=when(13, 9, 12),
     msgid="<7r2p9w3x-1a2b-3c4d-5e6f-samsung1710317520@email.android.com>",
     plain="Je paierai le 15 avril. Cordialement, Mme Roux\n\n\n\nEnvoyé depuis mon appareil Galaxy\n\n\n"
           "-------- Message d'origine --------\n"
           f"De : Brightwater Energy <{C}> \nDate : 12/03/2024 10:15 (GMT+01:00) \n"
           "À : roux.christiane@orange.fr \nObjet : " + SUBJ_FR.format(inv="FAC-2024-0815") + " \n\n" + o + "\n",
     cte="base64",
     expected="Je paierai le 15 avril.",
     hard=True,
     note="'Cordialement, Mme Roux' is on the same line as the message and is removed.")

# 38 -- GMX FR, iso-8859-1 8bit, unquoted original under 'Envoyé: ... De: ...'
o = rem_fr("Monsieur Lemoine", "FAC-2024-0874", "187,45 EUR", "26/02/2024")
case(38, lang="fr", client="GMX (web, French)", frm="Robert Lemoine <robert.lemoine@gmx.fr>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0874"), date=when(12, 17, 58),
     msgid="<trinity-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d-1710262680456@3c-app-gmx-bap21>",
     plain="Bonjour,\n\nJe vous ai déjà écrit le 20 février à ce sujet, sans réponse. Le compteur n° 54213987 a été remplacé le 15 janvier, "
           "la consommation facturée est donc erronée.\n\nJe demande également l'annulation des frais de rappel de 15,00 EUR.\n\n"
           "Salutations distinguées\nRobert Lemoine\n\n\n"
           "Envoyé: mardi 12 mars 2024 à 10:15\n"
           f"De: \"Brightwater Energy\" <{C}>\nÀ: robert.lemoine@gmx.fr\n"
           "Objet: " + SUBJ_FR.format(inv="FAC-2024-0874") + "\n" + o + "\n",
     charset="iso-8859-1", cte="8bit",
     expected="Bonjour,\n\nJe vous ai déjà écrit le 20 février à ce sujet, sans réponse. Le compteur n° 54213987 a été remplacé le 15 janvier, la consommation facturée est donc erronée.\n\nJe demande également l'annulation des frais de rappel de 15,00 EUR.",
     note="GMX French header block starts with 'Envoyé:' and the original follows unquoted, without a blank line.")

# 39 -- Gmail FR, bank confirmation pasted under a Forwarded separator
o = rem_fr("Madame Marchand", "FAC-2024-0815", "142,50 EUR", "01/03/2024")
case(39, lang="fr", client="Gmail (web, French UI)", frm="Julie Marchand <julie.marchand@gmail.com>",
     subject="Re: " + SUBJ_FR.format(inv="FAC-2024-0815"), date=when(12, 13, 36),
     msgid="<CAEm1tY7qW3rV+nB9xK2pL6sD0cF4gH8jZu@mail.gmail.com>",
     plain="Bonjour, ci-dessous la confirmation de ma banque.\n\n"
           "---------- Forwarded message ---------\nDe : Belfius <noreply@belfius.be>\n"
           "Date: lun. 11 mars 2024 à 14:02\nSubject: Confirmation de votre virement\nTo: <julie.marchand@gmail.com>\n\n\n"
           "Votre virement de 142,50 EUR vers BE71 0961 2345 6769 (Brightwater Energy) a été exécuté le 11/03/2024.\n"
           "Communication : +++123/4567/89012+++\n\n\n"
           f"Le mar. 12 mars 2024 à 10:15, Brightwater Energy <{C}> a écrit{NB}:\n\n" + q(o) + "\n",
     expected="Bonjour, ci-dessous la confirmation de ma banque.",
     hard=True,
     note="The sender pasted a forwarded bank confirmation under her one-line note. The forwarded text is not written by her and is excluded, "
          "although it carries the payment details; a human could hesitate. Gmail keeps English labels ('Forwarded message', 'Subject', 'To') in the French UI.")

# 40 -- Outlook on the web (La Poste corporate), name + job title
o = conf_fr("Monsieur Caron", 2, "315,00 EUR", "10 avril et 10 mai 2024")
case(40, lang="fr", client="Outlook on the web (La Poste corporate mailbox)", frm="CARON Didier <didier.caron@laposte.fr>",
     subject="RE: " + SUBJ_FR.format(inv="FAC-2024-0815"), date=when(15, 10, 2),
     msgid="<PR0P264MB1987C0D1E2F3A4B5C6D7E8F9A0@PR0P264MB1987.FRAP264.PROD.OUTLOOK.COM>",
     plain="C'est noté, merci.\n\nDidier Caron\nChargé de clientèle\n\n________________________________\n"
           f"De : Brightwater Energy <{C}>\nEnvoyé : jeudi 14 mars 2024 16:20\nÀ : CARON Didier\n"
           "Objet : Re: " + SUBJ_FR.format(inv="FAC-2024-0815") + "\n\n" + o + "\n",
     charset="windows-1252",
     expected="C'est noté, merci.",
     note="Short acknowledgement; signature is name + job title without sign-off formula.")


# ==========================================================================
# DUTCH
# ==========================================================================

# 41 -- Gmail web NL, multipart/alternative + PDF, wrapped attribution in the text part
o = rem_nl("mevrouw Peeters", "F-2024-0815", "EUR 142,50", "01/03/2024")
new = ["Goedendag,", "",
       "Ik heb deze factuur op 5 maart betaald via Bancontact. Het betalingsbewijs zit in bijlage.",
       "", "Met vriendelijke groeten,", "Lies Peeters"]
case(41, lang="nl", client="Gmail (web, Dutch UI)", frm="Lies Peeters <lies.peeters@gmail.com>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(12, 11, 7),
     msgid="<CAGh2uV8rX4sW+oC0yL3qM7tE1dG5hJ9kAv@mail.gmail.com>",
     plain="\n".join(new) + "\n\nOp di 12 mrt 2024 om 10:15 schreef Brightwater Energy <\n" + C + ">:\n\n" + q(o) + "\n",
     html_body=gmail_html(new, f'Op di 12 mrt 2024 om 10:15 schreef Brightwater Energy &lt;<a href="mailto:{C}">{C}</a>&gt;:', o),
     attachments=[("betalingsbewijs.pdf", "application/pdf", FAKE_PDF)],
     expected="Goedendag,\n\nIk heb deze factuur op 5 maart betaald via Bancontact. Het betalingsbewijs zit in bijlage.",
     note="Dutch Gmail attribution 'Op di 12 mrt 2024 om 10:15 schreef ... <' wrapped onto two lines in the text part. multipart/mixed with a PDF.")

# 42 -- Outlook desktop NL, company signature with an office-closure banner and disclaimer
o = rem_nl("heer De Smet", "F-2024-0877", "EUR 2.150,75", "15/02/2024")
new = f"""Beste,

Wij betwisten deze herinnering. De factuur werd op 28/02/2024 betaald, zie rekeninguittreksel: €{NB}2.150,75 naar BE71 0961 2345 6769 met mededeling +++123/4567/89012+++.

Gelieve dit na te kijken en ons te bevestigen."""
sig = """Met vriendelijke groet,

Koen De Smet
Zaakvoerder

De Smet Bouw BV
Industrieweg 14 | 9000 Gent
T 09 222 33 44 | M 0476 55 66 77
BTW BE 0123.456.789

Let op: ons kantoor is gesloten van 1 tot en met 5 april.

Dit e-mailbericht en eventuele bijlagen zijn vertrouwelijk en uitsluitend bestemd voor de geadresseerde(n). Indien u dit bericht per vergissing ontving, gelieve de afzender te verwittigen en het bericht te verwijderen."""
hdr = f"""Van: Brightwater Energy <{C}> 
Verzonden: dinsdag 12 maart 2024 10:15
Aan: Koen De Smet <koen@desmetbouw.be>
Onderwerp: """ + SUBJ_NL.format(inv="F-2024-0877")
case(42, lang="nl", client="Outlook desktop (Windows, Dutch UI)", frm="Koen De Smet <koen@desmetbouw.be>",
     subject="RE: " + SUBJ_NL.format(inv="F-2024-0877"), date=when(12, 14, 11),
     msgid="<AM0PR07MB5512D8E9F0A1B2C3D4E5F6A7B8@AM0PR07MB5512.eurprd07.prod.outlook.com>",
     plain=new + "\n\n" + sig + "\n\n" + hdr + "\n\n" + o + "\n", charset="windows-1252", linesep="\r\n",
     extra_headers=[("X-Mailer", "Microsoft Outlook 16.0")],
     expected=new,
     hard=True,
     note="The company signature contains a sentence 'Let op: ons kantoor is gesloten van 1 tot en met 5 april.' below the VAT number. "
          "It is a standing banner of the signature (excluded), but a human could read it as part of the message. "
          "'€' followed by a no-break space in the amount.")

# 43 -- Outlook desktop NL, HTML only + PDF
o = rem_nl("mevrouw Wouters", "F-2024-0930", "EUR 1.078,40", "29/02/2024")
new_html = mso([
    "Goedemiddag,", "",
    "In bijlage vindt u het betalingsbewijs van 14/03/2024. Mogen wij vragen om de aanmaningskosten van €&nbsp;10,00 te schrappen? "
    "De vertraging was te wijten aan een technisch probleem bij onze bank.", "",
    "Met vriendelijke groeten", "",
    '<b>Els Wouters</b>', 'Administratie', "",
    '<b><span style="color:#2E74B5">Wouters Transport NV</span></b>',
    'Kanaalstraat 3, 3500 Hasselt', 'Tel. 011 22 33 44',
])
case(43, lang="nl", client="Outlook desktop (Windows, Dutch UI), HTML only", frm="Els Wouters <els.wouters@wouterstransport.be>",
     subject="RE: " + SUBJ_NL.format(inv="F-2024-0930"), date=when(14, 15, 40),
     msgid="<DB8PR09MB3344F5A6B7C8D9E0F1A2B3C4D5@DB8PR09MB3344.eurprd09.prod.outlook.com>",
     html_body=word_html("windows-1252", "NL-BE", new_html, ("Van:", "Verzonden:", "Aan:", "Onderwerp:"),
                         (f"Brightwater Energy &lt;{C}&gt;", "dinsdag 12 maart 2024 10:15",
                          "Els Wouters &lt;els.wouters@wouterstransport.be&gt;", SUBJ_NL.format(inv="F-2024-0930")), o),
     charset="windows-1252", linesep="\r\n",
     attachments=[("Betalingsbewijs F-2024-0930.pdf", "application/pdf", FAKE_PDF)],
     extra_headers=[("X-Mailer", "Microsoft Outlook 16.0")],
     expected="Goedemiddag,\n\nIn bijlage vindt u het betalingsbewijs van 14/03/2024. Mogen wij vragen om de aanmaningskosten van € 10,00 te schrappen? De vertraging was te wijten aan een technisch probleem bij onze bank.",
     note="Word HTML with a Dutch 'Van:/Verzonden:/Aan:/Onderwerp:' block; HTML-only body plus PDF attachment (multipart/mixed).")

# 44 -- iPhone NL
o = rem_nl("heer Claes", "F-2024-0815", "EUR 142,50", "01/03/2024")
case(44, lang="nl", client="Apple Mail (iPhone, Dutch)", frm="Rudi Claes <rudi.claes@telenet.be>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(12, 18, 2),
     msgid="<C4D6E8F0-3A5B-4C7D-9E1F-2A4B6C8D0E1F@telenet.be>",
     plain="Is betaald\n\nVerstuurd vanaf mijn iPhone\n\n"
           f"> Op 12 mrt 2024 om 10:15 heeft Brightwater Energy <{C}> het volgende geschreven:\n> \n" + q(o, empty="> ") + "\n",
     extra_headers=[("X-Mailer", "iPhone Mail (21D61)")],
     expected="Is betaald",
     note="Dutch iOS: 'Verstuurd vanaf mijn iPhone' and attribution '... heeft ... het volgende geschreven:' (not 'schreef').")

# 45 -- Telenet webmail, lower case, name-only signature in lower case
o = rem_nl("heer Claes", "F-2024-0815", "EUR 142,50", "01/03/2024")
case(45, lang="nl", client="Telenet webmail", frm="jan claes <jan.claes7@telenet.be>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(12, 21, 30),
     msgid="<1369874521.1122.1710275400321.JavaMail.mail@webmail.telenet.be>",
     plain="dag\n\nik ben niet akkoord, ik heb nooit een contract bij jullie getekend. mijn contract loopt bij een andere leverancier sinds 2021 dus ik ga dit niet betalen.\n\njan\n\n"
           "----- Oorspronkelijk bericht -----\n"
           f"Van: \"Brightwater Energy\" <{C}>\nAan: \"jan claes\" <jan.claes7@telenet.be>\n"
           "Verzonden: Dinsdag 12 maart 2024 10:15:32\nOnderwerp: " + SUBJ_NL.format(inv="F-2024-0815") + "\n\n" + o + "\n",
     expected="dag\n\nik ben niet akkoord, ik heb nooit een contract bij jullie getekend. mijn contract loopt bij een andere leverancier sinds 2021 dus ik ga dit niet betalen.",
     note="Everything in lower case, including the one-word signature 'jan'. '----- Oorspronkelijk bericht -----' block with Van/Aan/Verzonden/Onderwerp.")

# 46 -- Outlook for Mac, Dutch message with English sign-off, signature and header block
o = rem_nl("heer Vermeulen", "F-2024-0911", "EUR 640,00", "01/03/2024")
case(46, lang="nl", client="Outlook for Mac (English UI)", frm="Pieter Vermeulen <pieter.vermeulen@acme-europe.nl>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0911"), date=when(13, 16, 45),
     msgid="<9F8E7D6C-5B4A-4392-8170-6F5E4D3C2B1A@acme-europe.nl>",
     plain="Hallo,\n\nDe betaling is vandaag uitgevoerd, excuses voor de vertraging. Voortaan graag de facturen naar ap@acme-europe.nl sturen.\n\n"
           "Best regards,\n\nPieter Vermeulen\nSenior Project Manager | Acme Europe B.V.\nM: +31 6 1234 5678\n\n"
           f"From: Brightwater Energy <{C}>\nDate: Tuesday, 12 March 2024 at 10:15\n"
           "To: Pieter Vermeulen <pieter.vermeulen@acme-europe.nl>\nSubject: " + SUBJ_NL.format(inv="F-2024-0911") + "\n\n" + o + "\n",
     extra_headers=[("User-Agent", "Microsoft-MacOutlook/16.83.24031120")],
     expected="Hallo,\n\nDe betaling is vandaag uitgevoerd, excuses voor de vertraging. Voortaan graag de facturen naar ap@acme-europe.nl sturen.",
     note="Mixed languages: Dutch message, English sign-off 'Best regards,', English job title and English From/Date/To/Subject block.")

# 47 -- Proximus webmail (Open-Xchange), HTML only, pretty-printed
o = rem_nl("mevrouw Dewulf", "F-2024-0815", "EUR 142,50", "01/03/2024")
ox = f"""<!doctype html>
<html>
 <head>
  <meta charset="UTF-8">
 </head>
 <body>
  <div class="default-style">
   Goeiedag,
  </div>
  <div class="default-style">
   <br>
  </div>
  <div class="default-style">
   Ik wil graag een afbetalingsplan. Ik kan &euro; 40 per maand betalen vanaf 1 april. U kan me bereiken op 0498 76 54 32 na 17u.
  </div>
  <div class="default-style">
   <br>
  </div>
  <div class="default-style">
   Mvg
  </div>
  <div class="default-style">
   Ann
  </div>
  <blockquote type="cite">
   <div>
    Op 12-03-2024 10:15 CET schreef Brightwater Energy &lt;{C}&gt;:
   </div>
   <div>
    &nbsp;
   </div>
   <div>
    &nbsp;
   </div>
   {orig_div(o)}
  </blockquote>
 </body>
</html>
"""
case(47, lang="nl", client="Proximus webmail (Open-Xchange), HTML only", frm="Ann Dewulf <ann.dewulf@proximus.be>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(12, 19, 18),
     msgid="<2093847561.445566.1710267480222@webmail.proximus.be>",
     html_body=ox,
     extra_headers=[("X-Mailer", "Open-Xchange Mailer v7.10.6-Rev56")],
     expected="Goeiedag,\n\nIk wil graag een afbetalingsplan. Ik kan € 40 per maand betalen vanaf 1 april. U kan me bereiken op 0498 76 54 32 na 17u.",
     note="Open-Xchange pretty-prints its HTML (text on indented lines inside divs). 'Mvg' + first name as sign-off; "
          "attribution is inside the blockquote. Phone number in the sentence is kept; &euro; entity.")

# 48 -- KPN Mail, 'Gr. Henk' on one line
o = rem_nl("heer De Vries", "F-2024-0815", "EUR 142,50", "01/03/2024")
case(48, lang="nl", client="KPN Mail (web)", frm="Henk de Vries <h.devries@kpnmail.nl>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(13, 7, 31),
     msgid="<1455667788.99887.1710311460999@kpnmail.nl>",
     plain="Goedemorgen,\n\nDit bedrag klopt niet. Volgens mijn laatste jaarafrekening had ik juist € 84,12 tegoed. Graag ontvang ik een correcte factuur.\n\n"
           "Gr. Henk\n\n"
           f"Op 12-03-2024 10:15 schreef Brightwater Energy <{C}>:\n\n" + q(o) + "\n",
     cte="8bit",
     expected="Goedemorgen,\n\nDit bedrag klopt niet. Volgens mijn laatste jaarafrekening had ik juist € 84,12 tegoed. Graag ontvang ik een correcte factuur.",
     note="Netherlands Dutch; abbreviated sign-off and name on one line: 'Gr. Henk'.")

# 49 -- Ziggo Mail, emoji in the sign-off, Dutch IBAN
o = rem_nl("mevrouw Bakker", "F-2024-0815", "EUR 142,50", "01/03/2024")
case(49, lang="nl", client="Ziggo Mail (web)", frm="Sanne Bakker <sanne.bakker@ziggo.nl>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(12, 20, 3),
     msgid="<1938475610.112233.1710270180444@ziggo.nl>",
     plain="Hoi,\n\nIk ben verhuisd naar Utrecht, mijn nieuwe adres is Oudegracht 101, 3511 AB Utrecht. Ik maak het bedrag vandaag over vanaf NL91 ABNA 0417 1643 00.\n\n"
           "Groetjes,\nSanne \U0001F60A\n\n"
           f"> Op 12 maart 2024 om 10:15 schreef Brightwater Energy <{C}>:\n> \n> \n" + q(o, empty="> ") + "\n",
     expected="Hoi,\n\nIk ben verhuisd naar Utrecht, mijn nieuwe adres is Oudegracht 101, 3511 AB Utrecht. Ik maak het bedrag vandaag over vanaf NL91 ABNA 0417 1643 00.",
     note="Address and Dutch IBAN are new words; the smiley is part of the signature line 'Sanne 😊' after 'Groetjes,' and is excluded.")

# 50 -- Samsung NL, base64
o = rem_nl("heer Maes", "F-2024-0815", "EUR 142,50", "01/03/2024")
case(50, lang="nl", client="Samsung Email (Android, Dutch)", frm="Dries Maes <driesmaes@hotmail.com>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(13, 12, 40),
     msgid="<x3k9d2m1-7f6e-4d5c-b4a3-samsung1710330000@email.android.com>",
     plain="Ok ik betaal volgende week\n\n\n\nVerzonden vanaf mijn Galaxy\n\n\n"
           "-------- Oorspronkelijk bericht --------\n"
           f"Van: Brightwater Energy <{C}> \nDatum: 12/03/24 10:15 (GMT+01:00) \n"
           "Aan: driesmaes@hotmail.com \nOnderwerp: " + SUBJ_NL.format(inv="F-2024-0815") + " \n\n" + o + "\n",
     cte="base64",
     expected="Ok ik betaal volgende week",
     note="'Verzonden vanaf mijn Galaxy' and '-------- Oorspronkelijk bericht --------' with Van/Datum/Aan/Onderwerp.")

# 51 -- Gmail iOS NL, 'Bedankt!' + 'Greetz, Wout'
o = rem_nl("heer Jacobs", "F-2024-0815", "EUR 142,50", "01/03/2024")
case(51, lang="nl", client="Gmail (iOS app, Dutch)", frm="Wout Jacobs <woutjacobs@gmail.com>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(12, 10, 44),
     msgid="<CAPs6vZ1nT8qR+wK4yM0bH2cJ7dL5fG9eXw@mail.gmail.com>",
     plain="Betaald via de app.\n\nBedankt!\nGreetz, Wout\n\n"
           f"Op di 12 mrt 2024 om 10:15 schreef Brightwater Energy <{C}>:\n\n" + q(o) + "\n",
     expected="Betaald via de app.",
     hard=True,
     note="'Bedankt!' stands alone directly above the informal sign-off 'Greetz, Wout'; I treat it as part of the closing. "
          "A human could also keep 'Bedankt!' as message content.")

# 52 -- Thunderbird NL, HTML only, moz-signature before the cite prefix
o = rem_nl("heer Maes", "F-2024-0855", "EUR 233,60", "26/02/2024")
tb = f"""<!DOCTYPE html>
<html>
  <head>
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
  </head>
  <body>
    <p>Geachte,</p>
    <p>Ik verwijs naar mijn e-mail van 1 maart, waarin ik al meldde dat de
      meterstand op de factuur (dag 045678) niet klopt. De correcte stand op
      29/02/2024 was dag 043912.</p>
    <p>Ik betaal pas na ontvangst van een gecorrigeerde factuur.</p>
    <p>Met vriendelijke groeten,</p>
    <div class="moz-signature">-- <br>
      Dirk Maes<br>
      Lindelaan 7, 2000 Antwerpen<br>
      0475 98 76 54</div>
    <div class="moz-cite-prefix">Op 12/03/2024 om 10:15 schreef Brightwater
      Energy:<br>
    </div>
    <blockquote type="cite" cite="mid:rem.52.7f3a9c@amicable.example">
      {orig_div(o)}
    </blockquote>
    <br>
  </body>
</html>
"""
case(52, lang="nl", client="Thunderbird (Windows, Dutch), HTML only", frm="Dirk Maes <dirk.maes@skynet.be>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0855"), date=when(12, 22, 9),
     msgid="<3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7@skynet.be>",
     html_body=tb, cte="8bit",
     extra_headers=[("User-Agent", "Mozilla Thunderbird")],
     expected="Geachte,\n\nIk verwijs naar mijn e-mail van 1 maart, waarin ik al meldde dat de meterstand op de factuur (dag 045678) niet klopt. De correcte stand op 29/02/2024 was dag 043912.\n\nIk betaal pas na ontvangst van een gecorrigeerde factuur.",
     note="Thunderbird HTML wraps long lines in the source (newline + indentation inside <p>); moz-signature ('-- ') sits between the reply and the "
          "moz-cite-prefix, which is itself wrapped over two lines.")

# 53 -- web.de, Dutch message with German header block, iso-8859-1
o = rem_nl("heer Jacobs", "F-2024-0815", "EUR 156,80", "01/03/2024")
case(53, lang="nl", client="WEB.DE (web, German UI)", frm="Marc Jacobs <marc.jacobs@web.de>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(13, 18, 26),
     msgid="<trinity-6a7b8c9d-0e1f-4a2b-3c4d-5e6f7a8b9c0d-1710350760789@3c-app-webde-bs51>",
     plain="Goedendag,\n\nIk woon sinds september 2023 in Duitsland. Mijn eindafrekening heb ik nooit ontvangen. "
           "Kunt u die naar dit e-mailadres sturen? Dan betaal ik de 156,80 EUR meteen.\n\nGroeten\nMarc\n\n\n"
           "Gesendet: Dienstag, 12. März 2024 um 10:15 Uhr\n"
           f"Von: \"Brightwater Energy\" <{C}>\nAn: marc.jacobs@web.de\n"
           "Betreff: " + SUBJ_NL.format(inv="F-2024-0815") + "\n" + o + "\n",
     charset="iso-8859-1",
     expected="Goedendag,\n\nIk woon sinds september 2023 in Duitsland. Mijn eindafrekening heb ik nooit ontvangen. Kunt u die naar dit e-mailadres sturen? Dan betaal ik de 156,80 EUR meteen.",
     note="Mixed languages: Dutch message, German web.de header block 'Gesendet: / Von: / An: / Betreff:' with the original unquoted.")

# 54 -- Hotmail / Outlook.com NL, plain
o = rem_nl("mevrouw Benali", "F-2024-0815", "EUR 142,50", "01/03/2024")
case(54, lang="nl", client="Hotmail / Outlook.com (web, Dutch)", frm="Nadia Benali <nadia_b@hotmail.com>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(12, 12, 20),
     msgid="<VI1P190MB0789A0B1C2D3E4F5A6B7C8D9E0@VI1P190MB0789.EURP190.PROD.OUTLOOK.COM>",
     plain="Hallo\n\nWaarom krijg ik een herinnering? Ik heb een domiciliëring lopen. Als die niet gelukt is had ik graag een mailtje gekregen.\n\n"
           "Vriendelijke groeten\nNadia\n\n________________________________\n"
           f"Van: Brightwater Energy <{C}>\nVerzonden: dinsdag 12 maart 2024 10:15\n"
           "Aan: nadia_b@hotmail.com <nadia_b@hotmail.com>\nOnderwerp: " + SUBJ_NL.format(inv="F-2024-0815") + "\n\n" + o + "\n",
     linesep="\r\n",
     expected="Hallo\n\nWaarom krijg ik een herinnering? Ik heb een domiciliëring lopen. Als die niet gelukt is had ik graag een mailtje gekregen.",
     note="Outlook.com separator line of underscores and Dutch header block.")

# 55 -- Outlook for Android NL, 'Onderwerp:' line inside the new words
o = rem_nl("heer Willems", "F-2024-0815", "EUR 142,50", "01/03/2024")
new = """Onderwerp: foutieve factuur

Beste,

Zoals eerder telefonisch gemeld (aan mevrouw Claes op 7/03) is het verbruik op deze factuur geschat en niet gebaseerd op de meterstand. Meterstand op 1/03/2024: dag 045678, nacht 023456.

Graag een gecorrigeerde factuur."""
case(55, lang="nl", client="Outlook for Android (Dutch)", frm="Bart Willems <bart.willems@outlook.be>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(13, 17, 52),
     msgid="<AS4P190MB1675B1C2D3E4F5A6B7C8D9E0F1@AS4P190MB1675.EURP190.PROD.OUTLOOK.COM>",
     plain=new + "\n\nMvg,\nBart Willems\n\nOutlook voor Android downloaden<https://aka.ms/AAb9ysg>\n________________________________\n"
           f"Van: Brightwater Energy <{C}>\nVerzonden: dinsdag 12 maart 2024 10:15\n"
           "Aan: bart.willems@outlook.be <bart.willems@outlook.be>\nOnderwerp: " + SUBJ_NL.format(inv="F-2024-0815") + "\n\n" + o + "\n",
     cte="base64",
     expected=new,
     note="First line 'Onderwerp: foutieve factuur' is typed by the sender (new words), the real header block below also has 'Onderwerp:'. "
          "'Meterstand op 1/03/2024:' is also a colon line inside the message.")

# 56 -- Apple Mail macOS NL, sender quotes a sentence of the reminder inside his own text
o = rem_nl("heer Cools", "F-2024-0815", "EUR 142,50", "01/03/2024")
new = """U schrijft:
"Heeft u intussen al betaald, dan mag u deze herinnering als onbestaande beschouwen."

Wel, ik héb betaald, op 11 maart, met de juiste mededeling. Ik beschouw ze dus als onbestaande."""
case(56, lang="nl", client="Apple Mail (macOS, Dutch)", frm="Willy Cools <willy.cools@scarlet.be>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(12, 14, 58),
     msgid="<0A1B2C3D-4E5F-4A6B-8C7D-8E9F0A1B2C3D@scarlet.be>",
     plain=new + "\n\nW. Cools\n\n"
           f"> Op 12 mrt 2024, om 10:15 heeft Brightwater Energy <{C}> het volgende geschreven:\n> \n" + q(o, empty="> ") + "\n",
     extra_headers=[("X-Mailer", "Apple Mail (2.3774.400.31)")],
     expected=new,
     hard=True,
     note="The sender copies one sentence of the reminder between double quotes inside his own text, without '>'. "
          "He wrote it in this message as part of his argument, so it is kept; a human could hesitate because the same sentence appears in the quoted original.")

# 57 -- Outlook.com NL, HTML only
o = rem_nl("mevrouw Ouali", "F-2024-0815", "EUR 187,00", "01/03/2024")
new = ["Beste,", "",
       "Kan ik deze factuur in twee keer betalen? De helft (€ 93,50) nu en de rest eind april.",
       "", "Alvast bedankt,", "Yasmine"]
case(57, lang="nl", client="Hotmail / Outlook.com (web, Dutch), HTML only", frm="Yasmine Ouali <yasmine.ouali@hotmail.be>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(13, 21, 15),
     msgid="<DB9P190MB1422C2D3E4F5A6B7C8D9E0F1A2@DB9P190MB1422.EURP190.PROD.OUTLOOK.COM>",
     html_body=owa_html(new, ("Van:", "Verzonden:", "Aan:", "Onderwerp:"),
                        (f"Brightwater Energy &lt;{C}&gt;", "dinsdag 12 maart 2024 10:15",
                         "yasmine.ouali@hotmail.be &lt;yasmine.ouali@hotmail.be&gt;", SUBJ_NL.format(inv="F-2024-0815")), o),
     expected="Beste,\n\nKan ik deze factuur in twee keer betalen? De helft (€ 93,50) nu en de rest eind april.",
     note="Outlook.com HTML; 'Alvast bedankt,' with a comma and the first name under it is the sign-off.")

# 58 -- Outlook desktop NL, -----Oorspronkelijk bericht-----, iso-8859-1 8bit
o = rem_nl("Bakkerij Janssens", "F-2024-0815", "EUR 142,50", "01/03/2024")
case(58, lang="nl", client="Outlook 2013 (Windows, Dutch UI)", frm="Bakkerij Janssens - Boekhouding <boekhouding@bakkerijjanssens.be>",
     subject="RE: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(13, 10, 33),
     msgid="<001501da7521$4a5b6c70$def04550$@bakkerijjanssens.be>",
     plain="Graag een kopie van de factuur, wij hebben die nooit ontvangen.\n\nMvg\n\nSofie Janssens\nBoekhouding\nBakkerij Janssens\n\n"
           "-----Oorspronkelijk bericht-----\n"
           f"Van: Brightwater Energy [mailto:{C}] \nVerzonden: dinsdag 12 maart 2024 10:15\n"
           "Aan: info@bakkerijjanssens.be\nOnderwerp: " + SUBJ_NL.format(inv="F-2024-0815") + "\n\n" + o + "\n",
     charset="iso-8859-1", cte="8bit", linesep="\r\n",
     extra_headers=[("X-Mailer", "Microsoft Outlook 15.0")],
     expected="Graag een kopie van de factuur, wij hebben die nooit ontvangen.",
     note="'-----Oorspronkelijk bericht-----' separator, 'Mvg' sign-off, name + department + company.")

# 59 -- Gmail web NL, multipart/alternative, long message with a dash list, '-- ' signature
o = rem_nl("heer Verbeke", "F-2024-0815", "EUR 247,62", "01/03/2024")
new = ["Dag,", "",
       "Ik begrijp niet goed hoe dit bedrag tot stand komt. Op mijn overzicht zie ik:", "",
       "- voorschot januari: € 95,00 (betaald op 3/01)",
       "- voorschot februari: € 95,00 (betaald op 2/02)",
       "- jaarafrekening: € 57,62 (betaald op 28/02 met mededeling +++123/4567/89012+++)", "",
       "Volgens mij sta ik dus niets meer in het rood. Kan iemand mij bellen op 0477 12 34 56 om dit samen te overlopen? Liefst na 18u."]
sigl = ["Tom Verbeke", "https://www.linkedin.com/in/tomverbeke"]
attr = f"Op di 12 mrt 2024 om 10:15 schreef Brightwater Energy <{C}>:"
case(59, lang="nl", client="Gmail (web, Dutch UI)", frm="Tom Verbeke <tom.verbeke@gmail.com>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(12, 20, 51),
     msgid="<CAMr7wX3oV9pS+tL5zN1cK8dF2eH6gJ0bYq@mail.gmail.com>",
     plain="\n".join(new) + "\n\n-- \n" + "\n".join(sigl) + "\n\n" + attr + "\n\n" + q(o) + "\n",
     html_body=gmail_html(new, f'Op di 12 mrt 2024 om 10:15 schreef Brightwater Energy &lt;<a href="mailto:{C}">{C}</a>&gt;:', o, sig_lines=sigl),
     expected="\n".join(new),
     note="Several paragraphs including a dash list (the three list lines form one paragraph after normalisation), "
          "amounts, dates, a structured reference and a phone number. No sign-off formula; '-- ' Gmail signature.")

# 60 -- Yahoo Mail Android NL, emoji-only reply
o = conf_nl("heer Mertens", 4, "EUR 50,00", "1 april, 1 mei, 1 juni en 1 juli 2024")
case(60, lang="nl", client="Yahoo Mail (Android app, Dutch)", frm="Kevin Mertens <kevin.mertens@yahoo.com>",
     subject="Re: " + SUBJ_NL.format(inv="F-2024-0815"), date=when(15, 19, 27),
     msgid="<1077665544.3322110.1710527220000@mail.yahoo.com>",
     plain="\U0001F44D\n\nVerzonden vanuit Yahoo Mail voor Android\n\n"
           f"  Op do, mrt 14, 2024 om 16:20, Brightwater Energy<{C}> schreef:   " + q(o, prefix="   ", empty="   ") + "\n",
     cte="base64",
     expected="\U0001F44D",
     note="The whole reply is a thumbs-up emoji. Yahoo Android signature line and attribution fused with the first quoted line.")


# ==========================================================================
# output + self-check
# ==========================================================================

def yq(s):
    return json.dumps(s, ensure_ascii=False)


def html_to_text(h):
    h = re.sub(r"(?is)<head.*?</head>|<style.*?</style>|<!--.*?-->", " ", h)
    h = re.sub(r"(?i)<br\s*/?>|</(div|p|blockquote|li|tr)>|<hr[^>]*>", "\n", h)
    h = re.sub(r"<[^>]+>", " ", h)
    return html.unescape(h)


def flat(s):
    return re.sub(r"[\s\u00a0\u202f]+", " ", s).strip()


def check(name, raw, c):
    from email import message_from_bytes
    m = message_from_bytes(raw, policy=policy.default)
    assert m["To"] == TO, (name, m["To"])
    assert str(m["Subject"]).startswith(("Re: ", "RE: ")), name
    for h in ("From", "Message-ID", "In-Reply-To", "Date", "MIME-Version", "Content-Type"):
        assert m[h], (name, h)
    body = m.get_body(preferencelist=("plain", "html"))
    assert body.get_content_charset() in ("utf-8", "iso-8859-1", "windows-1252"), (name, body.get_content_charset())
    assert body["Content-Transfer-Encoding"] in ("8bit", "quoted-printable", "base64"), (name, body["Content-Transfer-Encoding"])
    text = body.get_content()
    if body.get_content_subtype() == "html":
        text = html_to_text(text)
    ftext = flat(text)
    for para in c["expected"].split("\n\n"):
        assert flat(para) in ftext, (name, para)
    first = flat(c["expected"].split("\n\n")[0])[:25]
    assert ftext.startswith(first), (name, ftext[:80], first)
    if c["html"] is not None and c["plain"] is not None:
        h = m.get_body(preferencelist=("html",))
        fh = flat(html_to_text(h.get_content()))
        for para in c["expected"].split("\n\n"):
            assert flat(para) in fh, (name, "html", para)
    return body.get_content_subtype(), body.get_content_charset(), body["Content-Transfer-Encoding"]


def main():
    assert len(CASES) == 60 and [c["n"] for c in CASES] == list(range(1, 61))
    stats = {"lang": {}, "html_only": 0, "alternative": 0, "hard": 0, "charset": {}, "cte": {}}
    lines = ["# Blind corpus of e-mail replies: expected new words per file.",
             "# expected = the new words only, whitespace-normalised (runs of spaces/tabs/no-break spaces and",
             "# single newlines -> one space; paragraphs separated by one blank line, written here as \\n\\n).",
             ""]
    for c in CASES:
        name = f"{c['n']:02d}.eml"
        raw = render(c)
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(raw)
        sub, cs, cte = check(name, raw, c)
        stats["lang"][c["lang"]] = stats["lang"].get(c["lang"], 0) + 1
        stats["html_only"] += c["plain"] is None
        stats["alternative"] += c["plain"] is not None and c["html"] is not None
        stats["hard"] += bool(c["hard"])
        stats["charset"][cs] = stats["charset"].get(cs, 0) + 1
        stats["cte"][cte] = stats["cte"].get(cte, 0) + 1
        lines += [f"{name}:",
                  f"  language: {c['lang']}",
                  f"  client: {yq(c['client'])}",
                  f"  expected: {yq(c['expected'])}",
                  f"  hard: {'true' if c['hard'] else 'false'}",
                  f"  note: {yq(c['note'])}",
                  ""]
    with open(os.path.join(HERE, "expected.yml"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    try:
        import yaml
        data = yaml.safe_load(open(os.path.join(HERE, "expected.yml"), encoding="utf-8"))
        assert len(data) == 60
        for c in CASES:
            assert data[f"{c['n']:02d}.eml"]["expected"] == c["expected"]
    except ImportError:
        pass
    print(json.dumps(stats, indent=1))


if __name__ == "__main__":
    main()
