"use strict";
// Desk console, the visit as it is (issue 23): the desk's held turns with "Richiama", a second service for
// the ticket in service, and a contact served without a ticket (channel, service, optionally timed).
// Every click goes through desk.js's act(): the same request id, "current" and translated refusals.
(function () {
  const T = {
    it: {
      hold: "Sospendi", held_title: "Sospesi da questo sportello", call_back: "Richiama",
      call_back_this: "Richiama {code}", held_since: "sospeso alle {t}",
      second_label: "Secondo servizio per questo biglietto", add_service: "Aggiungi servizio",
      choose_service: "— servizio —", contact_label: "Contatto senza biglietto", contact_save: "Registra contatto",
      timer_start: "Cronometra", timer_running: "In corso: {m}:{s}",
      channel_phone: "Telefono", channel_email: "E-mail", channel_walkin: "Di persona, senza biglietto",
      contacts_today: "Contatti di oggi: {n}"
    },
    en: {
      hold: "Hold", held_title: "Held by this desk", call_back: "Call back",
      call_back_this: "Call {code} back", held_since: "held at {t}",
      second_label: "Second service for this ticket", add_service: "Add service",
      choose_service: "— service —", contact_label: "Contact without a ticket", contact_save: "Record contact",
      timer_start: "Time it", timer_running: "Running: {m}:{s}",
      channel_phone: "Phone", channel_email: "E-mail", channel_walkin: "Walk-up, no ticket",
      contacts_today: "Today's contacts: {n}"
    }
  };
  const CHANNELS = ["phone", "email", "walkin"];
  const $ = (id) => document.getElementById(id);
  let lang = "it";
  let timerStart = null;  // when the operator started timing the contact (this PC's clock: a duration only)
  const t = (key, vals) => ((T[lang] || T.it)[key] || key).replace(/\{(\w+)\}/g, (_, k) => (vals && k in vals ? vals[k] : ""));

  function options(select, items, placeholder) {
    const chosen = select.value;
    select.replaceChildren(...(placeholder ? [new Option(placeholder, "")] : []),
      ...items.map(([value, label]) => new Option(label, value)));
    if (items.some(([value]) => value === chosen)) select.value = chosen;
  }

  function render(ev) {
    const {state, me, lang: pageLang} = ev.detail;
    lang = pageLang;
    document.querySelectorAll("[data-tv]").forEach((el) => { el.textContent = t(el.dataset.tv); });
    showTimer();
    const held = (me && me.held) || [];
    $("held-title").hidden = !held.length;
    $("held").replaceChildren(...held.map((h) => {
      const li = document.createElement("li");
      const back = document.createElement("button");
      back.type = "button";
      back.className = "call-back";
      back.textContent = t("call_back");
      back.setAttribute("aria-label", t("call_back_this", {code: h.code}));
      back.disabled = !!(me && me.paused);
      back.addEventListener("click", () => window.totemDesk.act("callback", {code: h.code}));
      const since = new Date(h.held_at).toLocaleTimeString(lang === "it" ? "it-IT" : "en-GB", {hour: "2-digit", minute: "2-digit"});
      li.append(h.code + " — " + t("held_since", {t: since}) + " ", back);
      return li;
    }));
    const mine = state.services.filter((x) => x.known && me && me.services.includes(x.id))
      .map((x) => [x.id, x.label[lang] || x.label.it]);
    const current = me && me.current;
    options($("second-service"), mine.filter(([id]) => !current || id !== current.service), t("choose_service"));
    options($("contact-service"), mine, t("choose_service"));
    options($("contact-channel"), CHANNELS.map((c) => [c, t("channel_" + c)]));
    const n = Object.values((me && me.contacts) || {}).reduce((a, b) => a + b, 0);
    $("contact-save").title = t("contacts_today", {n: n});
  }

  function showTimer() {
    const b = $("contact-timer");
    b.setAttribute("aria-pressed", timerStart ? "true" : "false");
    if (!timerStart) { b.textContent = t("timer_start"); return; }
    const s = Math.floor((Date.now() - timerStart) / 1000);
    b.textContent = t("timer_running", {m: Math.floor(s / 60), s: String(s % 60).padStart(2, "0")});
  }

  document.addEventListener("desk:render", render);
  $("add_service").addEventListener("click", () => {
    const service = $("second-service").value;
    if (service) window.totemDesk.act("add_service", {service: service});
  });
  $("contact-timer").addEventListener("click", () => { timerStart = timerStart ? null : Date.now(); showTimer(); });
  $("contact").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const service = $("contact-service").value;
    if (!service) { $("contact-service").focus(); return; }
    const body = {channel: $("contact-channel").value, service: service};
    if (timerStart) body.duration_s = Math.min(8 * 3600, Math.round((Date.now() - timerStart) / 1000));
    timerStart = null;
    showTimer();
    window.totemDesk.act("contact", body);
  });
  setInterval(() => { if (timerStart) showTimer(); }, 1000);
})();
