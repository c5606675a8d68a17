"use strict";
// "Follow your turn": one ticket's page, opened from the QR code on the ticket.
// Plain JavaScript, no build step; it asks the hub every few seconds and says how old its figures are.
(function () {
  const T = {
    it: {
      title: "Il suo turno", your_number: "Il suo numero", switch: "English",
      ahead_none: "Nessuno prima di lei", ahead_one: "1 persona prima di lei", ahead_many: "{n} persone prima di lei",
      ahead_range: "Tra {n} e {m} persone prima di lei (stima)",
      wait_range: "Attesa stimata: {low}-{high} minuti", wait_short: "Attesa stimata: meno di {high} minuti",
      wait_unknown: "Sarà chiamato in ordine di arrivo", next_soon: "Resti vicino allo sportello.",
      called: "Tocca a lei: {desk}", called_detail: "Si presenti allo sportello indicato.",
      served: "Servito. Grazie della visita.", served_detail: "Questo biglietto è concluso.",
      noshow: "Il suo numero è stato chiamato", noshow_detail: "Non era presente. Se è ancora qui, lo dica allo sportello: può essere rimesso in coda.",
      held: "Turno sospeso", held_detail: "Lo sportello la richiama appena torna con quanto richiesto: non serve un nuovo biglietto (entro l'orario di chiusura).",
      void: "Biglietto annullato", void_detail: "La stampa non è riuscita: prenda un nuovo biglietto al totem.",
      expired: "Biglietto di un altro giorno", expired_detail: "Questo biglietto era del {day}.",
      unknown: "Biglietto non ancora registrato", unknown_detail: "Lo sportello non ha ancora ricevuto questo biglietto. La pagina si aggiorna da sola.",
      updated: "Aggiornato alle {t}", stale: "Connessione persa alle {t}: i dati potrebbero non essere aggiornati. Riprovo…",
      sound_on: "Avvisami anche con un suono", sound_ready: "Suono attivo: l'avviso suonerà quando tocca a lei",
      privacy: "Questa pagina mostra solo questo biglietto: nessun dato personale."
    },
    en: {
      title: "Your turn", your_number: "Your number", switch: "Italiano",
      ahead_none: "Nobody ahead of you", ahead_one: "1 person ahead of you", ahead_many: "{n} people ahead of you",
      ahead_range: "Between {n} and {m} people ahead of you (estimate)",
      wait_range: "Estimated wait: {low}-{high} minutes", wait_short: "Estimated wait: under {high} minutes",
      wait_unknown: "You will be called in order of arrival", next_soon: "Please stay near the desk.",
      called: "Your turn: {desk}", called_detail: "Please go to the desk shown.",
      served: "Served. Thank you for your visit.", served_detail: "This ticket is closed.",
      noshow: "Your number was called", noshow_detail: "You were not there. If you are still here, tell the desk: you can be put back in the queue.",
      held: "Turn on hold", held_detail: "The desk calls you back as soon as you return with what it asked for: no new ticket needed (before closing time).",
      void: "Ticket cancelled", void_detail: "Printing failed: please take a new ticket at the totem.",
      expired: "Ticket from another day", expired_detail: "This ticket was for {day}.",
      unknown: "Ticket not registered yet", unknown_detail: "The desk has not received this ticket yet. This page updates by itself.",
      updated: "Updated at {t}", stale: "Connection lost at {t}: figures may be out of date. Retrying…",
      sound_on: "Also alert me with a sound", sound_ready: "Sound on: it will ring when it is your turn",
      privacy: "This page shows this ticket only: no personal data."
    }
  };
  // The site's languages and their words, from the hub's gettext catalogues (display/follow_texts.py);
  // the dictionary above is the fallback for a key the catalogues do not have yet.
  const SITE = JSON.parse((document.getElementById("texts") || {}).textContent || '{"languages": [], "text": {}}');
  Object.entries(SITE.text).forEach(([l, words]) => { T[l] = Object.assign({}, T[l] || {}, words); });
  const LANGS = SITE.languages.length ? SITE.languages : [{code: "it", name: "Italiano"}, {code: "en", name: "English"}];
  const nextLang = () => LANGS[(LANGS.findIndex((x) => x.code === lang) + 1) % LANGS.length];
  const key = location.pathname.split("/").pop();
  const $ = (id) => document.getElementById(id);
  // The ticket's language (the one the citizen chose at the totem) unless they switched here.
  let switched = localStorage.getItem("totem-follow-lang");
  if (switched && !T[switched]) switched = null;  // a language this site no longer offers
  let lang = switched || ((navigator.language || "it").startsWith("it") ? "it" : "en");
  // Every request says this page's language: the hub answers its messages in it (display/page_messages.py).
  const fetch = (url, init = {}) => window.fetch(url, {...init, headers: {...(init.headers || {}), "X-Totem-Lang": lang}});
  let view = null;
  let lastOk = null;
  let failing = false;
  let audio = null;
  let alerted = false;
  const t = (k, vals) => ((T[lang] || {})[k] || T.it[k] || k).replace(/\{(\w+)\}/g, (_, x) => (vals && x in vals ? vals[x] : ""));
  const hhmm = (d) => d.toLocaleTimeString({it: "it-IT", en: "en-GB"}[lang] || lang, {hour: "2-digit", minute: "2-digit", second: "2-digit"});

  function render() {
    document.documentElement.lang = lang;
    document.documentElement.dir = (LANGS.find((x) => x.code === lang) || {}).rtl ? "rtl" : "ltr";
    document.title = t("title");
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    $("lang").textContent = nextLang().name;  // the next of the site's languages, named in itself
    $("lang").lang = nextLang().code;
    if (audio) $("sound").textContent = t("sound_ready");
    if (!view) return;
    if (!switched && view.lang && T[view.lang] && view.lang !== lang) { lang = view.lang; render(); return; }
    $("site").textContent = view.site ? view.site.desk_name : "";
    $("code").textContent = view.code || "—";
    $("service").textContent = view.label ? (view.label[lang] || view.label.it || "") : "";
    let head = "", detail = "";
    const s = view.status;
    if (s === "waiting") {
      const n = view.ahead;
      if (n === null || n === undefined) head = "";
      else if (!view.exact && view.possible > n) head = t("ahead_range", {n: n, m: view.possible});
      else head = n === 0 ? t("ahead_none") : (n === 1 ? t("ahead_one") : t("ahead_many", {n: n}));
      if (view.wait_low_min === null || view.wait_high_min === null) detail = t("wait_unknown");
      else detail = view.wait_low_min === 0 ? t("wait_short", {high: view.wait_high_min}) : t("wait_range", {low: view.wait_low_min, high: view.wait_high_min});
      if (n === 0) detail += " " + t("next_soon");
    } else if (s === "called") {
      head = t("called", {desk: view.desk_name}); detail = t("called_detail");
    } else if (s === "expired") {
      const [y, m, d] = view.service_day.split("-");
      head = t("expired"); detail = t("expired_detail", {day: `${d}/${m}/${y}`});
    } else {
      head = t(s); detail = t(s + "_detail");
    }
    $("headline").textContent = head;
    $("detail").textContent = detail;
    $("status").className = "status" + (s === "called" ? " called" : (["served", "noshow", "void", "expired"].includes(s) ? " ended" : ""));
    $("sound").hidden = !["waiting", "unknown"].includes(s) && !audio;
    $("updated").className = failing ? "updated stale" : "updated";
    $("updated").textContent = lastOk ? t(failing ? "stale" : "updated", {t: hhmm(lastOk)}) : "";
    // What the page shows, for follow_vote.js (the satisfaction vote, issue 22).
    document.dispatchEvent(new CustomEvent("totem:follow-render", {detail: {view: view, lang: lang}}));
    // The page's other blocks (follow-near.js: "nearly your turn", the call's reason) render from the same view.
    document.dispatchEvent(new CustomEvent("follow:view", {detail: {view: view, lang: lang}}));
  }

  function tone() {
    if (!audio) return;
    [0, 0.45].forEach((at) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.3, audio.currentTime + at);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.35);
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + at);
      osc.stop(audio.currentTime + at + 0.4);
    });
  }

  function alertCalled() {
    if (alerted) return;
    alerted = true;
    if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]);  // where the browser allows it
    tone();
  }

  async function poll() {
    try {
      const near = document.documentElement.dataset.near;  // set by follow-near.js once the citizen asks for an alert
      const r = await fetch(`/api/follow/${encodeURIComponent(key)}` + (near ? `?near=${encodeURIComponent(near)}` : ""),
                            {cache: "no-store", signal: AbortSignal.timeout(5000)});
      const body = await r.json();
      view = body;
      lastOk = new Date();
      failing = false;
      if (body.status === "called") alertCalled(); else alerted = false;
    } catch (err) {
      failing = true;
    }
    render();
    const ended = view && ["served", "void", "expired"].includes(view.status);
    setTimeout(poll, (document.hidden || ended ? 10 : 3) * 1000);
  }

  $("lang").addEventListener("click", () => { lang = nextLang().code; switched = lang; localStorage.setItem("totem-follow-lang", lang); render(); });
  $("sound").addEventListener("click", () => {  // browsers allow sound only after a tap on the page
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!audio) audio = new Ctx();
    audio.resume();
    render();
  });
  document.addEventListener("visibilitychange", () => { if (!document.hidden) render(); });
  render();
  poll();
})();
