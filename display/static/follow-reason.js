"use strict";
// Explain the order (issue 22): why a ticket was called before earlier ones, in one or two words
// from the hub's catalogues ("Appuntamento 10:30", "Precedenza", "Trasferito", "Rientro").
(function () {
  const T = {it: {last: "Ultima chiamata: {code}, {desk} — {why}"}, en: {last: "Last call: {code}, {desk} — {why}"}};
  document.addEventListener("follow:view", (e) => {
    const view = e.detail.view || {};
    const lang = e.detail.lang;
    const el = document.getElementById("reason");
    const pick = (words) => (words ? (words[lang] || words.it || Object.values(words)[0] || "") : "");
    let text = "";
    if (view.status === "called" && view.reason) text = pick(view.reason);
    else if (view.status === "waiting" && view.last_call) {
      const c = view.last_call;
      text = (T[lang] || T.it).last.replace("{code}", c.code).replace("{desk}", c.desk_name).replace("{why}", pick(c.reason));
    }
    el.textContent = text;
    el.hidden = !text;
  });
})();
