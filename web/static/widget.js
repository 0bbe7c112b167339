/*
 * Amicable web chat widget.
 *
 * Embed on any page with one tag:
 *   <script src="https://HOST/static/widget.js" defer></script>
 * Optional attributes on that tag:
 *   data-amicable-url  backend origin (default: the script's own origin)
 *   data-language      en | fr | nl (else ?lang=, else the browser language, else en)
 *   data-open="true"   start with the panel open
 *   data-token         signed link token (also read from the page's ?token=)
 *
 * No dependencies, no global CSS: every class is prefixed `amicable-` and all
 * bot text is inserted as text nodes, never as HTML.
 */
(function () {
  "use strict";

  if (window.__amicableWidget) return; // one widget per page
  window.__amicableWidget = true;

  var MAX_CHARS = 2000;
  var COUNTER_FROM = 1600; // show the counter from here on
  var SENDER_KEY = "amicable.sender";
  var TRANSCRIPT_KEY = "amicable.transcript";
  var MAX_STORED = 300; // transcript entries kept in sessionStorage
  var RETRY_MAX_MS = 30000;
  var REQUEST_TIMEOUT_MS = 45000;
  // Conversation ids are issued (and signed) by the server: a browser cannot choose its own.
  var SENDER_RE = /^web-[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;

  var STRINGS = {
    en: {
      title: "Amicable",
      subtitle: "Here to help, at your own pace.",
      dialog: "Chat with Amicable",
      launcher: "Chat with us",
      close: "Close chat",
      log: "Conversation",
      intro: "Hello. We're here to help you find a way forward that works for you. Write to us whenever you're ready, there's no rush.",
      inputLabel: "Your message",
      placeholder: "Type your message…",
      send: "Send",
      typing: "Amicable is typing…",
      you: "You said:",
      bot: "Amicable said:",
      person: "{name} (a person) said:",
      personTag: "person",
      sending: "Sending…",
      notSent: "Not sent",
      waiting: "Waiting to send",
      lost: "We've lost the connection for a moment. Your message is safe and we'll keep trying to send it.",
      offline: "You seem to be offline. Your message is safe and will be sent as soon as you're back online.",
      back: "You're back online. Sending your message now…",
      retryNow: "Try again now",
      rejected: "Sorry, that message couldn't be sent. You can edit it and try again.",
      left: "{n} characters left",
      limit: "You've reached the {max} character limit.",
      newTab: "(opens in a new tab)",
    },
    fr: {
      title: "Amicable",
      subtitle: "Là pour vous aider, à votre rythme.",
      dialog: "Discuter avec Amicable",
      launcher: "Discuter avec nous",
      close: "Fermer la discussion",
      log: "Conversation",
      intro: "Bonjour. Nous sommes là pour vous aider à trouver une solution qui vous convient. Écrivez-nous quand vous êtes prêt·e, rien ne presse.",
      inputLabel: "Votre message",
      placeholder: "Écrivez votre message…",
      send: "Envoyer",
      typing: "Amicable écrit…",
      you: "Vous avez écrit :",
      bot: "Amicable a écrit :",
      person: "{name} (une personne) a écrit :",
      personTag: "personne",
      sending: "Envoi…",
      notSent: "Non envoyé",
      waiting: "En attente d'envoi",
      lost: "La connexion est momentanément interrompue. Votre message est conservé et nous continuons d'essayer de l'envoyer.",
      offline: "Vous semblez être hors ligne. Votre message est conservé et sera envoyé dès le retour de la connexion.",
      back: "La connexion est rétablie. Envoi de votre message…",
      retryNow: "Réessayer maintenant",
      rejected: "Désolé, ce message n'a pas pu être envoyé. Vous pouvez le modifier et réessayer.",
      left: "Encore {n} caractères",
      limit: "Vous avez atteint la limite de {max} caractères.",
      newTab: "(s'ouvre dans un nouvel onglet)",
    },
    nl: {
      title: "Amicable",
      subtitle: "Wij helpen u graag, in uw eigen tempo.",
      dialog: "Chat met Amicable",
      launcher: "Chat met ons",
      close: "Chat sluiten",
      log: "Gesprek",
      intro: "Hallo. Wij helpen u graag een oplossing te vinden die bij u past. Stuur ons een bericht wanneer u er klaar voor bent, er is geen haast.",
      inputLabel: "Uw bericht",
      placeholder: "Typ uw bericht…",
      send: "Versturen",
      typing: "Amicable typt…",
      you: "U schreef:",
      bot: "Amicable schreef:",
      person: "{name} (een persoon) schreef:",
      personTag: "persoon",
      sending: "Versturen…",
      notSent: "Niet verstuurd",
      waiting: "Wacht op verzending",
      lost: "De verbinding is even weg. Uw bericht is bewaard en we blijven proberen het te versturen.",
      offline: "U lijkt offline te zijn. Uw bericht is bewaard en wordt verstuurd zodra u weer online bent.",
      back: "U bent weer online. Uw bericht wordt nu verstuurd…",
      retryNow: "Nu opnieuw proberen",
      rejected: "Sorry, dit bericht kon niet worden verstuurd. U kunt het aanpassen en opnieuw proberen.",
      left: "Nog {n} tekens",
      limit: "U heeft de limiet van {max} tekens bereikt.",
      newTab: "(opent in een nieuw tabblad)",
    },
  };

  // ---------------------------------------------------------------- config

  function findScript() {
    if (document.currentScript) return document.currentScript;
    var scripts = document.querySelectorAll("script[src]");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/widget\.js(\?|#|$)/.test(scripts[i].getAttribute("src"))) return scripts[i];
    }
    return null;
  }

  var script = findScript();

  function attr(name) {
    return script ? script.getAttribute(name) : null;
  }

  function pageParam(name) {
    try {
      return new URL(window.location.href).searchParams.get(name);
    } catch (e) {
      return null;
    }
  }

  function backendOrigin() {
    var configured = attr("data-amicable-url");
    try {
      if (configured) return new URL(configured, window.location.href).href.replace(/\/+$/, "");
      if (script && script.src) return new URL(script.src, window.location.href).origin;
    } catch (e) { /* fall through */ }
    return window.location.origin;
  }

  // data-language, else the page's ?lang=, else the browser's language; only en/fr/nl.
  function pickLanguage() {
    var hints = [attr("data-language"), pageParam("lang"), navigator.language];
    for (var i = 0; i < hints.length; i++) {
      var code = hints[i] ? String(hints[i]).slice(0, 2).toLowerCase() : "";
      if (STRINGS[code]) return code;
    }
    return "en";
  }

  var BASE = backendOrigin();
  var ENDPOINT = BASE + "/webhooks/rest/webhook";
  var LANG = pickLanguage();
  var T = STRINGS[LANG];
  var TOKEN = attr("data-token") || pageParam("token") || null;
  var START_OPEN = (attr("data-open") || "").toLowerCase() === "true";

  // ---------------------------------------------------------------- storage

  function storageGet(store, key) {
    try {
      return window[store].getItem(key);
    } catch (e) {
      return null;
    }
  }

  function storageSet(store, key, value) {
    try {
      window[store].setItem(key, value);
    } catch (e) { /* private mode, quota, blocked storage: carry on in memory */ }
  }

  function getSender() {
    var existing = storageGet("localStorage", SENDER_KEY);
    return existing && SENDER_RE.test(existing) ? existing : null;
  }

  var SENDER = getSender();

  // A new conversation id from the server, asked for once, when the first message leaves.
  function obtainSender() {
    return fetch(BASE + "/webhooks/rest/conversations", {
      method: "POST",
      headers: { Accept: "application/json" },
      credentials: "omit",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("no conversation id: " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (!data || typeof data.sender !== "string" || !SENDER_RE.test(data.sender)) throw new Error("bad id");
        SENDER = data.sender;
        storageSet("localStorage", SENDER_KEY, SENDER);
        agentSeen = 0;
        saveTranscript();
        return SENDER;
      });
  }

  function loadTranscript() {
    try {
      var data = JSON.parse(storageGet("sessionStorage", TRANSCRIPT_KEY) || "null");
      if (data && data.sender === SENDER && Array.isArray(data.items)) return data.items;
    } catch (e) { /* corrupt: start afresh */ }
    return [];
  }

  var items = loadTranscript();

  function saveTranscript() {
    if (items.length > MAX_STORED) items = items.slice(items.length - MAX_STORED);
    storageSet("sessionStorage", TRANSCRIPT_KEY, JSON.stringify({ sender: SENDER, items: items }));
  }

  // ---------------------------------------------------------------- DOM helpers

  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      for (var key in props) {
        if (!Object.prototype.hasOwnProperty.call(props, key)) continue;
        var value = props[key];
        if (value === null || value === undefined || value === false) continue;
        if (key === "className") node.className = value;
        else if (key === "text") node.textContent = value;
        else node.setAttribute(key, value === true ? "" : value);
      }
    }
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var SVG_NS = "http://www.w3.org/2000/svg";

  function icon(paths, className) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "20");
    svg.setAttribute("height", "20");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", className || "amicable-icon");
    paths.forEach(function (d) {
      var p = document.createElementNS(SVG_NS, "path");
      p.setAttribute("d", d);
      svg.appendChild(p);
    });
    return svg;
  }

  var ICON_CHAT = ["M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.5.4-1.3.1-1.3-.6V16.9A2.5 2.5 0 0 1 4 14.5z"];
  var ICON_CLOSE = ["M6.7 5.3 12 10.6l5.3-5.3 1.4 1.4L13.4 12l5.3 5.3-1.4 1.4L12 13.4l-5.3 5.3-1.4-1.4L10.6 12 5.3 6.7z"];
  var ICON_SEND = ["M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z"];

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) {
      return values[k] !== undefined ? String(values[k]) : "";
    });
  }

  // URLs in bot text become links; everything else stays a text node.
  var URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
  var TRAILING = /[.,;:!?'")\]}>]+$/;

  function safeHref(raw) {
    try {
      var url = new URL(/^www\./i.test(raw) ? "https://" + raw : raw);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function appendLinkified(parent, text) {
    var last = 0;
    var match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      var raw = match[0];
      // Keep closing punctuation outside the link, but keep balanced parentheses.
      var trail = (raw.match(TRAILING) || [""])[0];
      while (trail && trail.charAt(0) === ")" && (raw.split("(").length - 1) > (raw.slice(0, raw.length - trail.length).split(")").length - 1)) {
        trail = trail.slice(1);
      }
      var urlText = raw.slice(0, raw.length - trail.length);
      var href = safeHref(urlText);
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (href) {
        var a = el("a", {
          className: "amicable-link",
          href: href,
          target: "_blank",
          rel: "noopener noreferrer",
          "aria-label": urlText + " " + T.newTab,
        });
        a.textContent = urlText;
        parent.appendChild(a);
      } else {
        parent.appendChild(document.createTextNode(urlText));
      }
      if (trail) parent.appendChild(document.createTextNode(trail));
      last = match.index + raw.length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // ---------------------------------------------------------------- build UI

  var root = el("div", { className: "amicable-root", lang: LANG, "data-amicable": "" });
  root.style.visibility = "hidden"; // until our stylesheet arrives, to avoid a flash of raw markup

  var launcherText = el("span", { className: "amicable-launcher-text", text: T.launcher });
  var launcher = el("button", {
    type: "button",
    id: "amicable-launcher",
    className: "amicable-launcher",
    "aria-label": T.launcher,
    "aria-expanded": "false",
    "aria-controls": "amicable-chat",
  }, [icon(ICON_CHAT, "amicable-icon amicable-icon-chat"), icon(ICON_CLOSE, "amicable-icon amicable-icon-close"), launcherText]);

  var closeBtn = el("button", {
    type: "button",
    id: "amicable-close",
    className: "amicable-close",
    "aria-label": T.close,
    "aria-expanded": "false",
    "aria-controls": "amicable-chat",
    title: T.close,
  }, [icon(ICON_CLOSE)]);

  var header = el("div", { className: "amicable-header" }, [
    el("span", { className: "amicable-avatar", "aria-hidden": "true" }, [icon(ICON_CHAT)]),
    el("div", { className: "amicable-heading" }, [
      el("h2", { className: "amicable-title", id: "amicable-title", text: T.title }),
      el("p", { className: "amicable-subtitle", text: T.subtitle }),
    ]),
    closeBtn,
  ]);

  var log = el("div", {
    id: "amicable-log",
    className: "amicable-log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    "aria-label": T.log,
    tabindex: "0",
  });

  var typing = el("div", { className: "amicable-typing", role: "status", hidden: true }, [
    el("span", { className: "amicable-typing-dots", "aria-hidden": "true" }, [
      el("span", { className: "amicable-dot" }), el("span", { className: "amicable-dot" }), el("span", { className: "amicable-dot" }),
    ]),
    el("span", { className: "amicable-typing-text", text: T.typing }),
  ]);

  var noticeText = el("span", { className: "amicable-notice-text" });
  var retryBtn = el("button", { type: "button", className: "amicable-retry", text: T.retryNow, hidden: true });
  var notice = el("div", { className: "amicable-notice", role: "status", "aria-live": "polite" }, [noticeText, retryBtn]);
  notice.hidden = true;

  var input = el("textarea", {
    id: "amicable-input",
    className: "amicable-input",
    rows: "1",
    maxlength: String(MAX_CHARS),
    placeholder: T.placeholder,
    autocomplete: "off",
    enterkeyhint: "send",
  });
  var label = el("label", { className: "amicable-sr-only", for: "amicable-input", text: T.inputLabel });
  var sendBtn = el("button", { type: "submit", id: "amicable-send", className: "amicable-send" }, [
    el("span", { className: "amicable-send-text", text: T.send }),
    icon(ICON_SEND),
  ]);
  var counter = el("div", { id: "amicable-counter", className: "amicable-counter", "aria-hidden": "true" });
  var counterSr = el("span", { id: "amicable-counter-sr", className: "amicable-sr-only" });
  var limitAnnouncer = el("div", { className: "amicable-sr-only", role: "status", "aria-live": "polite" });

  var form = el("form", { className: "amicable-form", novalidate: true }, [
    label,
    el("div", { className: "amicable-composer" }, [input, sendBtn]),
    counter,
    counterSr,
    limitAnnouncer,
  ]);

  var panel = el("div", {
    id: "amicable-chat",
    className: "amicable-panel",
    role: "dialog",
    "aria-labelledby": "amicable-title",
    hidden: true,
  }, [header, log, typing, notice, form]);

  root.appendChild(panel);
  root.appendChild(launcher);

  // ---------------------------------------------------------------- rendering

  var nextId = 0;
  items.forEach(function (item) {
    if (typeof item.id === "number" && item.id >= nextId) nextId = item.id + 1;
  });

  function renderIntro() {
    return el("div", { className: "amicable-intro" }, [el("p", { className: "amicable-intro-text", text: T.intro })]);
  }

  function statusText(item) {
    if (item.from !== "user") return "";
    if (item.status === "pending") return T.sending;
    if (item.status === "waiting") return T.waiting;
    if (item.status === "failed") return T.notSent;
    return "";
  }

  function renderItem(item) {
    var isUser = item.from === "user";
    // A colleague's message is marked as a person's, with their name: the debtor always
    // knows whether the assistant or a person is writing.
    var isPerson = !isUser && !!item.agent;
    var bubble = el("div", {
      className: "amicable-msg " + (isUser ? "amicable-msg-user" : isPerson ? "amicable-msg-bot amicable-msg-person" : "amicable-msg-bot"),
    });
    if (isPerson && item.name) {
      bubble.appendChild(el("span", { className: "amicable-person", "aria-hidden": "true" }, [
        el("strong", { text: item.name }),
        el("span", { className: "amicable-person-tag", text: " · " + T.personTag }),
      ]));
    }
    if (isUser) bubble.appendChild(document.createTextNode(item.text));
    else appendLinkified(bubble, item.text || "");

    var said = isUser ? T.you : isPerson && item.name ? fmt(T.person, { name: item.name }) : T.bot;
    var row = el("div", {
      className: "amicable-row " + (isUser ? "amicable-row-user" : "amicable-row-bot"),
      "data-id": String(item.id),
    }, [el("span", { className: "amicable-sr-only", text: said }), bubble]);

    if (isUser) {
      var st = statusText(item);
      var status = el("div", { className: "amicable-status" + (item.status === "failed" ? " amicable-status-failed" : ""), text: st });
      if (!st) status.hidden = true;
      row.appendChild(status);
    }

    if (item.buttons && item.buttons.length) {
      var group = el("div", { className: "amicable-buttons", role: "group", "aria-label": item.text ? item.text.slice(0, 120) : T.bot });
      item.buttons.forEach(function (b, index) {
        var chosen = item.chosen === index;
        var btn = el("button", {
          type: "button",
          className: "amicable-btn" + (chosen ? " amicable-btn-chosen" : ""),
          text: b.title,
          "aria-pressed": item.used ? String(chosen) : null,
        });
        btn.disabled = !!item.used;
        btn.addEventListener("click", function () {
          onButton(item, index);
        });
        group.appendChild(btn);
      });
      row.appendChild(group);
    }
    return row;
  }

  function rowFor(item) {
    return log.querySelector('.amicable-row[data-id="' + item.id + '"]');
  }

  function updateStatus(item) {
    var row = rowFor(item);
    if (!row) return;
    var status = row.querySelector(".amicable-status");
    if (!status) return;
    var st = statusText(item);
    status.textContent = st;
    status.hidden = !st;
    status.className = "amicable-status" + (item.status === "failed" ? " amicable-status-failed" : "");
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function append(item) {
    items.push(item);
    log.appendChild(renderItem(item));
    saveTranscript();
    scrollToEnd();
  }

  function renderAll() {
    while (log.firstChild) log.removeChild(log.firstChild);
    log.appendChild(renderIntro());
    items.forEach(function (item) {
      log.appendChild(renderItem(item));
    });
    scrollToEnd();
  }

  // ---------------------------------------------------------------- composer

  var busy = false; // a message is in flight or waiting to be retried

  function updateSendState() {
    sendBtn.disabled = busy;
    sendBtn.setAttribute("aria-busy", busy ? "true" : "false");
  }

  var limitAnnounced = false;

  function updateCounter() {
    var n = input.value.length;
    var left = MAX_CHARS - n;
    if (n >= COUNTER_FROM) {
      counter.textContent = n + " / " + MAX_CHARS;
      counter.hidden = false;
      counter.className = "amicable-counter" + (left <= 0 ? " amicable-counter-limit" : "");
      input.setAttribute("aria-describedby", "amicable-counter-sr");
    } else {
      counter.textContent = "";
      counter.hidden = true;
      input.removeAttribute("aria-describedby");
    }
    counterSr.textContent = n >= COUNTER_FROM ? fmt(T.left, { n: Math.max(0, left) }) : "";
    if (left <= 0 && !limitAnnounced) {
      limitAnnouncer.textContent = fmt(T.limit, { max: MAX_CHARS });
      limitAnnounced = true;
    } else if (left > 0 && limitAnnounced) {
      limitAnnouncer.textContent = "";
      limitAnnounced = false;
    }
  }

  function autosize() {
    input.style.height = "auto";
    var max = 140;
    input.style.height = Math.min(input.scrollHeight + 2, max) + "px";
    input.style.overflowY = input.scrollHeight + 2 > max ? "auto" : "hidden";
  }

  input.addEventListener("input", function () {
    if (input.value.length > MAX_CHARS) input.value = input.value.slice(0, MAX_CHARS);
    updateCounter();
    updateSendState();
    autosize();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submitTyped();
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submitTyped();
  });

  function submitTyped() {
    if (busy) return;
    var text = input.value.trim();
    if (!text) return;
    if (text.length > MAX_CHARS) text = text.slice(0, MAX_CHARS);
    input.value = "";
    updateCounter();
    autosize();
    send(text, text);
    input.focus();
  }

  function onButton(item, index) {
    if (busy || item.used) return;
    var b = item.buttons[index];
    if (!b) return;
    item.chosen = index;
    send(b.payload != null && b.payload !== "" ? String(b.payload) : String(b.title), String(b.title));
    input.focus();
  }

  // Once anything is sent, earlier choices no longer apply. Updated in place (not
  // re-rendered) so screen readers do not announce the old message again.
  function retireButtons() {
    items.forEach(function (item) {
      if (!item.buttons || !item.buttons.length || item.used) return;
      item.used = true;
      var row = rowFor(item);
      if (!row) return;
      var buttons = row.querySelectorAll(".amicable-btn");
      for (var i = 0; i < buttons.length; i++) {
        var chosen = item.chosen === i;
        buttons[i].disabled = true;
        buttons[i].setAttribute("aria-pressed", String(chosen));
        if (chosen) buttons[i].classList.add("amicable-btn-chosen");
      }
    });
  }

  // ---------------------------------------------------------------- networking

  var current = null; // the user item being delivered
  var attempt = 0;
  var retryTimer = null;
  var noticeKind = null;

  function showNotice(kind) {
    if (noticeKind === kind) return; // avoid re-announcing the same notice on each retry
    noticeKind = kind;
    if (!kind) {
      notice.hidden = true;
      noticeText.textContent = "";
      retryBtn.hidden = true;
      return;
    }
    noticeText.textContent = T[kind];
    retryBtn.hidden = !(kind === "lost" || kind === "offline");
    notice.className = "amicable-notice amicable-notice-" + kind;
    notice.hidden = false;
    scrollToEnd();
  }

  function setTyping(on) {
    typing.hidden = !on;
    if (on) scrollToEnd();
  }

  function setBusy(on) {
    busy = on;
    updateSendState();
  }

  function send(payload, display) {
    retireButtons();
    var item = { id: nextId++, from: "user", text: display, payload: payload, status: "pending" };
    append(item);
    deliver(item);
  }

  function deliver(item) {
    current = item;
    attempt = 0;
    setBusy(true);
    attemptSend();
  }

  function attemptSend() {
    var item = current;
    if (!item) return;
    clearTimeout(retryTimer);
    retryTimer = null;
    item.status = "pending";
    updateStatus(item);
    setTyping(true);

    if (!SENDER) {
      obtainSender().then(
        function () { if (current === item) attemptSend(); },
        function () { if (current === item) { setTyping(false); scheduleRetry(); } }
      );
      return;
    }

    var metadata = { channel: "web", language: LANG };
    if (TOKEN) metadata.token = TOKEN;
    var body = JSON.stringify({ sender: SENDER, message: item.payload, metadata: metadata });

    var controller = window.AbortController ? new AbortController() : null;
    var timeout = setTimeout(function () {
      if (controller) controller.abort();
    }, REQUEST_TIMEOUT_MS);

    fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: body,
      credentials: "omit",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        return response.text().then(function (raw) {
          var data = null;
          try {
            data = raw ? JSON.parse(raw) : null;
          } catch (e) { /* not JSON */ }
          return { status: response.status, ok: response.ok, data: data };
        });
      })
      .then(function (res) {
        clearTimeout(timeout);
        if (current !== item) return;
        if (res.ok) return delivered(item, Array.isArray(res.data) ? res.data : []);
        if (res.status >= 500 || res.status === 408 || res.status === 429) return scheduleRetry();
        rejected(item, res.data && res.data.detail);
      })
      .catch(function () {
        clearTimeout(timeout);
        if (current !== item) return;
        scheduleRetry();
      });
  }

  function delivered(item, replies) {
    current = null;
    clearTimeout(retryTimer);
    item.status = "sent";
    updateStatus(item);
    setTyping(false);
    showNotice(null);
    replies.forEach(function (reply) {
      if (!reply || typeof reply !== "object") return;
      var text = typeof reply.text === "string" ? reply.text : "";
      if (!text && reply.custom && typeof reply.custom.text === "string") text = reply.custom.text;
      if (!text && typeof reply.image === "string") text = reply.image;
      var buttons = Array.isArray(reply.buttons)
        ? reply.buttons.filter(function (b) {
            return b && typeof b.title === "string" && b.title.trim();
          }).map(function (b) {
            return { title: b.title, payload: typeof b.payload === "string" ? b.payload : "" };
          })
        : [];
      if (!text && !buttons.length) return;
      append({ id: nextId++, from: "bot", text: text, buttons: buttons.length ? buttons : undefined });
    });
    saveTranscript();
    setBusy(false);
  }

  function rejected(item) {
    // A 4xx will not get better by retrying: hand the text back for editing.
    current = null;
    setTyping(false);
    if (!input.value.trim() && item.payload === item.text) {
      // Typed text goes back into the box, so the transcript does not show it twice.
      items = items.filter(function (other) {
        return other !== item;
      });
      var row = rowFor(item);
      if (row) row.parentNode.removeChild(row);
      input.value = item.text;
      updateCounter();
      autosize();
    } else {
      item.status = "failed";
      updateStatus(item);
    }
    saveTranscript();
    showNotice("rejected");
    setBusy(false);
  }

  function scheduleRetry() {
    var item = current;
    if (!item) return;
    setTyping(false);
    item.status = "waiting";
    updateStatus(item);
    saveTranscript();
    showNotice(navigator.onLine === false ? "offline" : "lost");
    var delay = Math.min(1000 * Math.pow(2, attempt), RETRY_MAX_MS);
    attempt++;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(attemptSend, delay);
  }

  function retryNow() {
    if (current && current.status === "waiting") attemptSend();
  }

  retryBtn.addEventListener("click", function () {
    retryNow();
    input.focus();
  });

  window.addEventListener("online", function () {
    if (current && current.status === "waiting") {
      noticeKind = null;
      showNotice("back");
      attempt = 0;
      attemptSend();
    }
  });

  window.addEventListener("offline", function () {
    if (current) showNotice("offline");
  });

  // ---------------------------------------------------------------- a person's replies

  // When a colleague has taken the conversation, their messages arrive without the debtor
  // writing first, and so do the assistant's answers to messages it could not answer at once:
  // ask for them every few seconds while the chat is open.
  function agentKey() { return "amicable.agentSeen." + SENDER; }
  var agentSeen = SENDER ? parseInt(storageGet("localStorage", agentKey()) || "0", 10) || 0 : 0;
  var POLL_MS = 4000;

  function pollAgent() {
    if (!isOpen() || !items.length || !SENDER) return;
    fetch(BASE + "/webhooks/rest/messages?sender=" + encodeURIComponent(SENDER) + "&after=" + agentSeen, {
      headers: { Accept: "application/json" },
      credentials: "omit",
    })
      .then(function (response) {
        return response.ok ? response.json() : [];
      })
      .then(function (messages) {
        if (!Array.isArray(messages)) return;
        messages.forEach(function (message) {
          if (!message || typeof message.text !== "string" || typeof message.id !== "number") return;
          agentSeen = Math.max(agentSeen, message.id);
          var name = typeof message.name === "string" ? message.name.slice(0, 80) : "";
          // A person's reply is marked as theirs; a late answer of the assistant is its own.
          append({ id: nextId++, from: "bot", text: message.text, agent: message.author !== "bot", name: name });
        });
        if (messages.length) {
          storageSet("localStorage", agentKey(), String(agentSeen));
          saveTranscript();
        }
      })
      .catch(function () { /* offline: the next tick asks again */ });
  }

  setInterval(pollAgent, POLL_MS);

  // ---------------------------------------------------------------- open / close

  function isOpen() {
    return !panel.hidden;
  }

  function setOpen(open, options) {
    options = options || {};
    panel.hidden = !open;
    root.classList.toggle("amicable-open", open);
    launcher.setAttribute("aria-expanded", String(open));
    closeBtn.setAttribute("aria-expanded", String(open));
    var name = open ? T.close : T.launcher;
    launcher.setAttribute("aria-label", name);
    launcherText.textContent = name;
    if (open) {
      scrollToEnd();
      if (options.focus) input.focus();
    } else if (options.returnFocus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", function () {
    setOpen(!isOpen(), { focus: true, returnFocus: true });
  });

  closeBtn.addEventListener("click", function () {
    setOpen(false, { returnFocus: true });
  });

  root.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && isOpen()) {
      event.preventDefault();
      event.stopPropagation();
      setOpen(false, { returnFocus: true });
    }
  });

  // ---------------------------------------------------------------- start

  function injectStylesheet(done) {
    var href = BASE + "/static/widget.css";
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      if (links[i].href === href) return done();
    }
    var link = el("link", { rel: "stylesheet", href: href, "data-amicable": "" });
    var finished = false;
    function finish() {
      if (finished) return;
      finished = true;
      done();
    }
    link.addEventListener("load", finish);
    link.addEventListener("error", finish);
    setTimeout(finish, 4000);
    (document.head || document.documentElement).appendChild(link);
  }

  function start() {
    renderAll();
    updateCounter();
    updateSendState();
    document.body.appendChild(root);
    injectStylesheet(function () {
      root.style.visibility = "";
    });
    setOpen(START_OPEN, { focus: false });
    autosize();

    // A message that was still on its way when the page was left: finish sending it.
    for (var i = items.length - 1; i >= 0; i--) {
      var item = items[i];
      if (item.from === "user" && (item.status === "pending" || item.status === "waiting")) {
        deliver(item);
        break;
      }
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  // A small hook for the host page (and tests).
  window.Amicable = {
    open: function () { setOpen(true, { focus: true }); },
    close: function () { setOpen(false, { returnFocus: true }); },
    language: LANG,
  };
  Object.defineProperty(window.Amicable, "sender", { get: function () { return SENDER; } });
})();
