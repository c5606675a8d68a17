"use strict";
// The satisfaction vote's three faces (issue 22, "Mettiamoci la faccia" format), shared by the
// follow page (follow_vote.js) and the desk-side tablet (vote.js). Plain JavaScript, no build step.
// The faces are drawn here (our own SVG, not the programme's artwork); each button is named by its
// text label, so a screen reader says "Soddisfatto", not a picture. The words come from the hub
// (the catalogues' vote_* keys) in every site language.
(function () {
  const NS = "http://www.w3.org/2000/svg";
  // Mouth of each face: a smile, a straight line, a frown.
  const MOUTH = {positive: "M 18 38 Q 32 52 46 38", neutral: "M 19 42 L 45 42", negative: "M 18 46 Q 32 32 46 46"};

  function faceSvg(face) {
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 64 64");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.classList.add("vote-face");
    const part = (tag, attrs) => {
      const el = document.createElementNS(NS, tag);
      Object.entries(attrs).forEach(([k, v]) => el.setAttribute(k, v));
      svg.appendChild(el);
    };
    part("circle", {cx: 32, cy: 32, r: 29, fill: "none", stroke: "currentColor", "stroke-width": 4});
    part("circle", {cx: 22, cy: 25, r: 4, fill: "currentColor"});
    part("circle", {cx: 42, cy: 25, r: 4, fill: "currentColor"});
    part("path", {d: MOUTH[face], fill: "none", stroke: "currentColor", "stroke-width": 4, "stroke-linecap": "round"});
    return svg;
  }

  function requestId() {  // crypto.randomUUID needs a secure context; the hub is plain HTTP on the LAN
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // A panel in `root`: the question, three face buttons, then (only after the red face) the reasons.
  // `send(face, reasons, requestId)` posts the vote and resolves to {ok, status, body}.
  function VotePanel(root, send) {
    let words = {}, faces = [], reasons = [], chosen = null, busy = false, pendingId = null;
    const t = (k, vals) => (words[k] || k).replace(/\{(\w+)\}/g, (_, x) => (vals && x in vals ? vals[x] : ""));
    root.classList.add("vote");

    function clear() { while (root.firstChild) root.removeChild(root.firstChild); }
    function el(tag, attrs, text) {
      const e = document.createElement(tag);
      Object.entries(attrs || {}).forEach(([k, v]) => { if (k === "class") e.className = v; else e.setAttribute(k, v); });
      if (text !== undefined) e.textContent = text;
      return e;
    }
    function message(text, cls) {
      const p = el("p", {class: "vote-msg " + (cls || ""), role: "status"}, text);
      root.appendChild(p);
      return p;
    }

    async function submit(face, picked) {
      if (busy) return;
      busy = true;
      pendingId = pendingId || requestId();  // a retry of the same tap sends the same id
      root.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      let result;
      try { result = await send(face, picked, pendingId); } catch (err) { result = {ok: false, status: 0, body: {}}; }
      busy = false;
      if (result.ok) { pendingId = null; show("thanks"); return; }
      if (result.status === 409 && result.body && result.body.refusal) {
        pendingId = null;
        show("refused", result.body.refusal);
        return;
      }
      root.querySelectorAll("button").forEach((b) => { b.disabled = false; });
      const old = root.querySelector(".vote-msg.error");
      if (old) old.remove();
      message(t("vote_failed"), "error");
    }

    function askReasons() {
      chosen = "negative";
      clear();
      const form = el("form", {class: "vote-reasons"});
      const set = el("fieldset");
      set.appendChild(el("legend", {}, t("vote_reasons_question")));
      reasons.forEach((r) => {
        const label = el("label", {class: "vote-reason"});
        const box = el("input", {type: "checkbox", name: "reason", value: r});
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + t("vote_reason_" + r)));
        set.appendChild(label);
      });
      form.appendChild(set);
      const go = el("button", {type: "submit", class: "vote-send"}, t("vote_send"));
      form.appendChild(go);
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const picked = Array.from(form.querySelectorAll("input:checked"), (b) => b.value);
        submit("negative", picked);
      });
      form.addEventListener("change", () => {
        go.textContent = form.querySelector("input:checked") ? t("vote_send") : t("vote_send_none");
      });
      go.textContent = t("vote_send_none");
      const back = el("button", {type: "button", class: "vote-back"}, t("vote_back"));  // a mis-tap on red
      back.addEventListener("click", () => { chosen = null; show("open"); });
      form.appendChild(back);
      root.appendChild(form);
      const first = form.querySelector("input");
      if (first) first.focus();
    }

    function ask() {
      chosen = null;
      clear();
      root.appendChild(el("h2", {class: "vote-question"}, t("vote_question")));
      const row = el("div", {class: "vote-faces"});
      faces.forEach((f) => {
        const b = el("button", {type: "button", class: "vote-button vote-" + f, "data-face": f});
        b.appendChild(faceSvg(f));
        b.appendChild(el("span", {class: "vote-label"}, t("vote_" + f)));
        b.addEventListener("click", () => { if (f === "negative") askReasons(); else submit(f, []); });
        row.appendChild(b);
      });
      root.appendChild(row);
    }

    // state: "open" (ask), "thanks", "given" (extra: the face), "refused" (extra: the refusal object)
    function show(state, extra) {
      if (state === "open" && chosen === "negative" && root.querySelector(".vote-reasons") && !extra) return;  // keep the ticks
      clear();
      if (state === "open") ask();
      else if (state === "thanks") message(t("vote_thanks"), "done");
      else if (state === "given") message(t("vote_given", {face: t("vote_" + extra)}), "done");
      else if (state === "refused") message(t("vote_refused_" + extra.reason), "error");
      root.dataset.state = state;
    }

    return {
      setWords(w, f, r) { words = w || {}; faces = f || faces; reasons = r || reasons; },
      show: show,
      get state() { return root.dataset.state || ""; },
    };
  }

  window.TotemVote = {VotePanel: VotePanel, faceSvg: faceSvg, requestId: requestId};
})();
