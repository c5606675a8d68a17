"use strict";
// Explain the order (issue 22): why a ticket was called before earlier ones, in one or two words
// from the hub's catalogues ("Appuntamento 10:30", "Precedenza", "Trasferito", "Rientro").
(function () {
  // "Ultima chiamata: …" in every site language, from the catalogues (follow_reason_last).
  const SITE = JSON.parse((document.getElementById("texts") || {}).textContent || '{"text": {}}');
  const last = (lang) => ((SITE.text || {})[lang] || {}).reason_last || ((SITE.text || {}).it || {}).reason_last || "";
  document.addEventListener("follow:view", (e) => {
    const view = e.detail.view || {};
    const lang = e.detail.lang;
    const el = document.getElementById("reason");
    const pick = (words) => (words ? (words[lang] || words.it || Object.values(words)[0] || "") : "");
    let text = "";
    if (view.status === "called" && view.reason) text = pick(view.reason);
    else if (view.status === "waiting" && view.last_call) {
      const c = view.last_call;
      text = last(lang).replace("{code}", c.code).replace("{desk}", c.desk_name).replace("{why}", pick(c.reason));
    }
    el.textContent = text;
    el.hidden = !text;
  });
})();
