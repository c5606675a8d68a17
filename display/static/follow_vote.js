"use strict";
// The follow page's satisfaction vote (issue 22): once the ticket is served, the three faces
// (vote_panel.js), one tap, one vote per ticket (the hub refuses a second with a 409 this page
// translates). Kept apart from follow.js, which only tells this file what it shows
// (the "totem:follow-render" event: the ticket's view and the page's language).
(function () {
  const key = location.pathname.split("/").pop();
  const root = document.getElementById("vote");
  if (!root || !window.TotemVote) return;
  let info = null, asked = false, lang = null, shown = null;
  const api = `/api/follow/${encodeURIComponent(key)}/vote`;

  const panel = window.TotemVote.VotePanel(root, async (face, reasons, requestId) => {
    const r = await fetch(api, {method: "POST", headers: {"Content-Type": "application/json"}, cache: "no-store",
                                body: JSON.stringify({request_id: requestId, face: face, reasons: reasons}),
                                signal: AbortSignal.timeout(5000)});
    const body = await r.json().catch(() => ({}));
    if (r.ok) shown = ["thanks"];
    else if (r.status === 409 && body.refusal) shown = ["refused", body.refusal];
    return {ok: r.ok, status: r.status, body: body};
  });

  function words() { return info.words[lang] || info.words[Object.keys(info.words)[0]]; }

  function paint() {
    if (!info) return;
    panel.setWords(words(), info.faces, info.reasons);
    if (!shown) shown = info.open ? ["open"] : (info.given ? ["given", info.given] : null);
    root.hidden = !shown;
    if (shown) panel.show(shown[0], shown[1]);
  }

  async function load() {
    asked = true;
    try {
      const r = await fetch(api, {cache: "no-store", signal: AbortSignal.timeout(5000)});
      if (r.ok) info = await r.json();
      else asked = false;
    } catch (err) { asked = false; }  // asked again at the next refresh of the page
    paint();
  }

  document.addEventListener("totem:follow-render", (ev) => {
    const view = ev.detail.view;
    const changed = ev.detail.lang !== lang;
    lang = ev.detail.lang;
    if (!view || view.status !== "served") { root.hidden = true; return; }
    if (!asked) load();
    else if (changed) paint();
  });
})();
