"use strict";
// The desk-side vote tablet (/vote/{desk}, issue 22): dark until the desk closes a ticket with
// Fatto, then the three faces for that ticket, in the ticket's language, until the hub's clock
// says the window is over (30 s) or the vote is in. The hub decides what is shown
// (GET /api/vote/{desk}); this page asks again at each event of the hub's stream and every
// 2 s while lit, so a frozen or a real clock darkens it alike.
(function () {
  const desk = document.body.dataset.desk;
  const $ = (id) => document.getElementById(id);
  const api = `/api/vote/${encodeURIComponent(desk)}`;
  const LIT_POLL_MS = 2000;
  let view = null, local = null, timer = null, asking = false, again = false, painted = "";

  const panel = window.TotemVote.VotePanel($("vote"), async (face, reasons, requestId) => {
    const r = await fetch(api, {method: "POST", credentials: "same-origin", cache: "no-store",
                                headers: {"Content-Type": "application/json"},
                                body: JSON.stringify({request_id: requestId, code: view.code, face: face, reasons: reasons}),
                                signal: AbortSignal.timeout(5000)});
    const body = await r.json().catch(() => ({}));
    if (r.ok) local = {code: view.code, state: ["thanks"]};
    else if (r.status === 409 && body.refusal) local = {code: view.code, state: ["refused", body.refusal]};
    return {ok: r.ok, status: r.status, body: body};
  });

  function render() {
    const dark = !view || view.state === "dark" || view.state === "unpaired";
    const words = view && view.words ? (view.words[view.lang] || view.words[Object.keys(view.words)[0]]) : null;
    document.body.classList.toggle("dark", dark);
    document.body.dataset.state = view ? view.state : "";
    if (view && view.lang) document.documentElement.lang = view.lang;
    if (view) document.documentElement.dir = view.rtl ? "rtl" : "ltr";  // Arabic reads from the right
    $("unpaired").hidden = !(view && view.state === "unpaired");
    if (view && view.state === "unpaired" && words) $("unpaired").textContent = words.vote_unpaired;
    $("idle").hidden = !(view && view.state === "dark");
    if (words) $("idle").textContent = words.vote_dark;
    $("ticket").hidden = dark;
    $("vote").hidden = dark;
    if (dark) { local = null; painted = ""; return; }
    $("ticket").textContent = words.vote_for_ticket.replace("{code}", view.code) +
      (view.label ? " · " + (view.label[view.lang] || Object.values(view.label)[0]) : "");
    panel.setWords(words, view.faces, view.reasons);
    if (local && local.code !== view.code) local = null;  // another ticket since: its own vote
    const state = local ? local.state : [view.state === "thanks" ? "thanks" : "open"];
    const now = `${view.code}|${view.lang}|${state[0]}`;
    if (now !== painted) { painted = now; panel.show(state[0], state[1]); }
  }

  async function refresh() {
    if (asking) { again = true; return; }
    asking = true;
    try {
      const r = await fetch(api, {credentials: "same-origin", cache: "no-store", signal: AbortSignal.timeout(5000)});
      const body = await r.json().catch(() => ({}));
      if (r.status === 403) view = {state: "unpaired", words: body.words, lang: document.documentElement.lang};
      else if (r.ok) view = body;
    } catch (err) { /* the next event or poll asks again */ }
    asking = false;
    render();
    clearTimeout(timer);
    if (view && (view.state === "open" || view.state === "thanks")) timer = setTimeout(refresh, LIT_POLL_MS);
    if (again) { again = false; refresh(); }
  }

  const source = new EventSource("/api/events");  // a Fatto at any desk changes the state: ask
  source.addEventListener("state", () => refresh());
  refresh();
})();
