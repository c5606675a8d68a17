"use strict";
// Pairing this browser to one console (desk, reception, reports) with a technician's one-time code.
// /pair#CODE (the link `totem-display pair` prints) fills the code in and sends it at once.
(function () {
  const T = {
    it: {
      title: "Abbinamento del dispositivo", code_label: "Codice di abbinamento", pair: "Abbina", switch: "English",
      note: "Un tecnico abbina questo browser una volta sola: il codice viene da «totem-display pair» sull'hub.",
      bad_code: "Codice sconosciuto, già usato o scaduto: chiedere al tecnico un nuovo codice",
      paired: "Abbinato a: {console}. Apertura della console…", not_done: "Hub non raggiungibile: riprovare"
    },
    en: {
      title: "Device pairing", code_label: "Pairing code", pair: "Pair", switch: "Italiano",
      note: "A technician pairs this browser once: the code comes from “totem-display pair” on the hub.",
      bad_code: "Unknown, used or expired code: ask the technician for a new one",
      paired: "Paired to: {console}. Opening the console…", not_done: "Hub unreachable: try again"
    }
  };
  const $ = (id) => document.getElementById(id);
  let lang = localStorage.getItem("totem-pair-lang") || "it";
  // Every request says this page's language: the hub answers its messages in it (display/page_messages.py).
  const fetch = (url, init = {}) => window.fetch(url, {...init, headers: {...(init.headers || {}), "X-Totem-Lang": lang}});
  const t = (k, v) => (T[lang][k] || T.it[k] || k).replace(/\{(\w+)\}/g, (_, x) => (v && x in v ? v[x] : ""));
  function translate() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    $("lang").textContent = t("switch");
    $("lang").lang = lang === "it" ? "en" : "it";
  }
  async function send(code) {
    $("pair-error").textContent = "";
    let r;
    try {
      r = await fetch("/pair", {method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({code: code})});
    } catch (e) { $("pair-error").textContent = t("not_done"); return; }
    const body = await r.json().catch(() => ({}));
    if (r.ok) {
      $("pair-error").textContent = t("paired", {console: body.console});
      location.replace(body.page);
    } else $("pair-error").textContent = body.message || t("bad_code");
  }
  $("pair").addEventListener("submit", (ev) => { ev.preventDefault(); send($("code").value); });
  $("lang").addEventListener("click", () => { lang = lang === "it" ? "en" : "it"; localStorage.setItem("totem-pair-lang", lang); translate(); });
  translate();
  const fromLink = decodeURIComponent(location.hash.slice(1));
  if (fromLink) {
    history.replaceState(null, "", "/pair");  // the code is spent: no trace of it in the address bar
    $("code").value = fromLink;
    send(fromLink);
  } else $("code").focus();
})();
