"use strict";
// "Nearly your turn" (issue 22): the citizen picks "when N are ahead" (default 3) or "X minutes before";
// on their tap the page asks for notifications and sound, then alerts (vibration, a tone, a system
// notification, large type) when the hub says the threshold is reached (`near`, display/nearly.py).
// Where the site set up Web Push and the browser can, the hub also sends it with the page closed;
// otherwise the page says plainly that it must stay open. Kept apart from follow.js.
(function () {
  // The words, in every site language, from the hub's catalogues (follow_near_* keys, display/follow_texts.py).
  const SITE = JSON.parse((document.getElementById("texts") || {}).textContent || '{"text": {}}');
  const T = {};
  for (const [code, words] of Object.entries(SITE.text || {})) {
    T[code] = {};
    for (const [k, v] of Object.entries(words)) if (k.startsWith("near_")) T[code][k.slice(5)] = v;
  }
  if (!T.it) T.it = {};
  const key = location.pathname.split("/").pop();
  const $ = (id) => document.getElementById(id);
  const store = "totem-near-" + key;
  let lang = "it";
  let view = null;
  let armed = null;   // {near: "ahead:3", fired: bool, push: bool}
  let audio = null;
  try { armed = JSON.parse(localStorage.getItem(store) || "null"); } catch (err) { armed = null; }
  if (armed) document.documentElement.dataset.near = armed.near;
  const t = (k, vals) => (T[lang][k] || T.it[k] || k).replace(/\{(\w+)\}/g, (_, x) => (vals && x in vals ? vals[x] : ""));
  const save = () => localStorage.setItem(store, JSON.stringify(armed));

  function chosen() {
    const kind = document.querySelector("input[name=near-kind]:checked").value;
    const box = $(kind === "ahead" ? "near-ahead" : "near-minutes");
    const n = Math.round(Number(box.value));
    const [lo, hi] = kind === "ahead" ? [0, 50] : [1, 120];
    const value = Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : (kind === "ahead" ? 3 : 10);
    box.value = value;
    return `${kind}:${value}`;
  }

  function alertText() {
    if (!view) return "";
    if (view.status === "called") return t("near_called", {desk: view.desk_name});
    const [kind, n] = armed.near.split(":");
    if (kind === "minutes") return t("near_minutes", {n: view.wait_low_min === null ? n : view.wait_low_min});
    return view.ahead === 0 ? t("near_none") : t("near_ahead", {n: view.ahead});
  }

  function tone() {
    if (!audio) return;
    [0, 0.3, 0.6].forEach((at) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 660;
      gain.gain.setValueAtTime(0.3, audio.currentTime + at);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + at);
      osc.stop(audio.currentTime + at + 0.3);
    });
  }

  async function notify(body) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const title = t("near_title", {code: view.code || ""});
    const options = {body: body, tag: "totem-near-" + key, lang: lang, renotify: true};
    try {
      new Notification(title, options);  // desktop browsers
    } catch (err) {  // Android's Chrome: only through a service worker
      const reg = navigator.serviceWorker && await navigator.serviceWorker.getRegistration("/t/");
      if (reg) reg.showNotification(title, options);
    }
  }

  function fire() {
    armed.fired = true;
    save();
    const body = alertText();
    if (navigator.vibrate) navigator.vibrate([300, 150, 300, 150, 600]);
    tone();
    notify(body);
  }

  function render() {
    document.querySelectorAll("[data-nt]").forEach((el) => { el.textContent = t(el.dataset.nt); });
    $("near-ahead").setAttribute("aria-label", t("label_ahead"));
    $("near-minutes").setAttribute("aria-label", t("label_minutes"));
    const waiting = view && ["waiting", "unknown"].includes(view.status);
    $("near").hidden = !waiting && !armed;
    if (armed) $("near-on").textContent = t("rearm");
    const status = $("near-status");
    if (armed) {
      const [kind, n] = armed.near.split(":");
      let text = t(kind === "ahead" ? "armed_ahead" : "armed_minutes", {n: n});
      if (armed.push) text += " " + t("push_on");
      else text += " " + t("keep_open");
      if ("Notification" in window && Notification.permission === "denied") text += " " + t("notif_denied");
      status.textContent = text;
      status.className = "near-status" + (armed.push ? "" : " open");
    } else {
      status.textContent = "";
    }
    const show = armed && armed.fired && view && ["waiting", "called"].includes(view.status);
    $("near-alert").hidden = !show;
    $("near-alert-text").textContent = show ? alertText() : "";
  }

  function urlKey(base64) {  // the VAPID public key as the Push API wants it
    const pad = "=".repeat((4 - (base64.length % 4)) % 4);
    const raw = atob((base64 + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  async function subscribePush(near) {
    // Real Web Push only where the site set it up, the page is a secure context and the browser has Push.
    if (!window.isSecureContext || !("serviceWorker" in navigator) || !("PushManager" in window)) return false;
    try {
      const setup = await (await fetch("/api/push/key", {cache: "no-store"})).json();
      if (!setup.enabled) return false;
      const reg = await navigator.serviceWorker.register("/t/sw.js", {scope: "/t/"});
      await navigator.serviceWorker.ready;
      const sub = await reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: urlKey(setup.public_key)});
      const r = await fetch(`/api/follow/${encodeURIComponent(key)}/push`, {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({subscription: sub.toJSON(), near: near, lang: lang})});
      return r.ok;
    } catch (err) {
      return false;  // no push service reachable, or refused: the page says it must stay open
    }
  }

  $("near-on").addEventListener("click", async () => {  // the citizen's tap: permissions may be asked only now
    const near = chosen();
    armed = {near: near, fired: false, push: false};
    document.documentElement.dataset.near = near;
    save();
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx && !audio) audio = new Ctx();
    if (audio) audio.resume();
    render();
    if ("Notification" in window && Notification.permission === "default") {
      try { await Notification.requestPermission(); } catch (err) { /* an old browser: the page alerts alone */ }
    }
    armed.push = await subscribePush(near);
    save();
    render();
  });

  document.addEventListener("follow:view", (e) => {
    view = e.detail.view;
    lang = T[e.detail.lang] ? e.detail.lang : "it";
    if (armed && !armed.fired && view && view.near === true) fire();
    render();
  });
  render();
})();
