"use strict";
// Reception point: tickets for citizens who do not use the totem, and phone/e-mail appointments.
// Plain JavaScript, no build step, no network beyond the hub.
(function () {
  const T = {
    it: {
      title: "Accoglienza", pin_label: "PIN dell'accoglienza", unlock: "Sblocca", logout: "Esci", switch: "English",
      wrong_pin: "PIN errato", wrong_pin_left: "PIN errato: ancora {n} tentativi prima del blocco",
      locked: "Troppi tentativi: riprovare tra {s} secondi",
      pair_here: "Abbina questo browser con un codice", unpaired: "Questo browser non è abbinato all'accoglienza: un tecnico lo abbina una volta (totem-display pair reception, poi la pagina /pair)",
      issue_title: "Biglietto per un cittadino", issue_note: "Per chi non può o non vuole usare il totem. Lingua del biglietto:",
      ahead_none: "Nessuno prima", ahead_one: "1 persona prima", ahead_many: "{n} persone prima", ahead_unknown: "Persone prima: non note",
      wait_range: "Attesa stimata: {low}-{high} minuti", wait_short: "Attesa stimata: meno di {high} minuti", wait_unknown: "Attesa: non stimabile ora",
      printed: "Stampato: consegni il biglietto.", on_screen: "Nessuna stampa: comunichi il numero al cittadino (o gli faccia inquadrare il QR).",
      appt_title: "Appuntamenti", day: "Giorno", time: "Ora", service: "Servizio", reference: "Riferimento (facoltativo)",
      reference_hint: "Nessun nome né dato personale: per esempio il numero della pratica.", book: "Registra l'appuntamento",
      booked: "Appuntamento registrato: {day} alle {time}, {service}.", booked_number: "Numero da comunicare al cittadino:",
      booked_how: "Al totem: «Ho un appuntamento», poi questo numero, da {early} minuti prima a {late} minuti dopo l'ora.",
      show_day: "Mostra il giorno", number: "Numero", reference_short: "Riferimento", status: "Stato", actions: "Azioni",
      list_title: "Appuntamenti del {day}", list_empty: "Nessun appuntamento in questo giorno.",
      st_booked: "Prenotato", st_checked_in: "Arrivato alle {t}", st_checked_in_code: "Arrivato alle {t} · {code}", st_cancelled: "Annullato",
      cancel: "Annulla", reopen: "Riattiva", cancel_this: "Annulla l'appuntamento {number}", reopen_this: "Riattiva l'appuntamento {number}",
      not_done: "Hub non raggiungibile: operazione NON eseguita, riprovare",
      disk_full: "Disco pieno sul display: nuovi biglietti e prenotazioni in attesa finché non si libera spazio",
      err_day: "Giorno non valido: da oggi a un anno da oggi", err_time: "Ora non valida (HH:MM)",
      err_closed: "Lo sportello non è aperto alle {time} del {day}: scegliere un orario di apertura",
      err_service: "Scegliere un servizio", err_reference: "Riferimento: un numero di pratica o le iniziali, mai un nome (al massimo 40 caratteri, senza < >)", err_duplicate: "Alle {time} del {day} c'è già un appuntamento per questo servizio: premere di nuovo «Registra» per aggiungerne un secondo",
      err_ticket_closed: "Sportello chiuso ora: nessun biglietto emesso", err_printer: "La stampante dell'accoglienza non ha stampato: numero annullato, nessuno è in coda con esso. Controllare la carta e riprovare.",
      err_exhausted: "Numeri dell'accoglienza esauriti per oggi in questo servizio",
      err_too_many: "Troppi appuntamenti aperti (10.000): annullare quelli non più validi prima di registrarne altri",
      err_repeated: "Richiesta già eseguita: biglietto {code} già emesso",
      online: "Prenotazione online",
      calendar_fault: "Prenotazioni online non aggiornate dalle {t}: gli appuntamenti già importati restano validi; avvisare il tecnico",
      calendar_never: "Prenotazioni online non lette: avvisare il tecnico"
    },
    en: {
      title: "Reception", pin_label: "Reception PIN", unlock: "Unlock", logout: "Log out", switch: "Italiano",
      wrong_pin: "Wrong PIN", wrong_pin_left: "Wrong PIN: {n} more attempts before the lock",
      locked: "Too many attempts: try again in {s} seconds",
      pair_here: "Pair this browser with a code", unpaired: "This browser is not paired to the reception: a technician pairs it once (totem-display pair reception, then the /pair page)",
      issue_title: "Ticket for a citizen", issue_note: "For those who cannot or prefer not to use the totem. Ticket language:",
      ahead_none: "Nobody ahead", ahead_one: "1 person ahead", ahead_many: "{n} people ahead", ahead_unknown: "People ahead: unknown",
      wait_range: "Estimated wait: {low}-{high} minutes", wait_short: "Estimated wait: under {high} minutes", wait_unknown: "Wait: cannot be estimated now",
      printed: "Printed: hand over the ticket.", on_screen: "Not printed: tell the citizen the number (or let them scan the QR).",
      appt_title: "Appointments", day: "Day", time: "Time", service: "Service", reference: "Reference (optional)",
      reference_hint: "No names or personal data: for example the file number.", book: "Save the appointment",
      booked: "Appointment saved: {day} at {time}, {service}.", booked_number: "Number to give the citizen:",
      booked_how: "At the totem: “I have an appointment”, then this number, from {early} minutes before to {late} minutes after the time.",
      show_day: "Show day", number: "Number", reference_short: "Reference", status: "Status", actions: "Actions",
      list_title: "Appointments on {day}", list_empty: "No appointments on this day.",
      st_booked: "Booked", st_checked_in: "Arrived at {t}", st_checked_in_code: "Arrived at {t} · {code}", st_cancelled: "Cancelled",
      cancel: "Cancel", reopen: "Reopen", cancel_this: "Cancel appointment {number}", reopen_this: "Reopen appointment {number}",
      not_done: "Hub unreachable: NOT done, try again",
      disk_full: "Display disk full: new tickets and bookings wait until space is freed",
      err_day: "Invalid day: from today to one year ahead", err_time: "Invalid time (HH:MM)",
      err_closed: "The desk is not open at {time} on {day}: choose an opening time",
      err_service: "Choose a service", err_reference: "Reference: a file number or initials, never a name (at most 40 characters, no < >)", err_duplicate: "There is already an appointment for this service at {time} on {day}: press Save again to add a second one",
      err_ticket_closed: "The desk is closed now: no ticket issued", err_printer: "The reception printer did not print: the number was voided, nobody waits with it. Check the paper and try again.",
      err_exhausted: "The reception's numbers for this service are used up today",
      err_too_many: "Too many open appointments (10,000): cancel those no longer valid before saving more",
      err_repeated: "Request already done: ticket {code} already issued",
      online: "Online booking",
      calendar_fault: "Online bookings not updated since {t}: appointments already imported stay valid; tell the technician",
      calendar_never: "Online bookings not read: tell the technician"
    }
  };
  const $ = (id) => document.getElementById(id);
  // "12345678901" -> "1234 5678 901": eleven digits read out and typed in groups of four.
  const grouped = (number) => String(number).replace(/(\d{4})(?=\d)/g, "$1 ");
  let lang = localStorage.getItem("totem-reception-lang") || "it";
  // Every request says this page's language: the hub answers its messages in it (display/page_messages.py).
  const fetch = (url, init = {}) => window.fetch(url, {...init, headers: {...(init.headers || {}), "X-Totem-Lang": lang}});
  let info = null;  // the session: services, languages, today
  let ticketLang = null;
  let lastIssued = null;
  let lastBooked = null;
  let listed = [];
  const t = (k, v) => (T[lang][k] || T.it[k] || k).replace(/\{(\w+)\}/g, (_, x) => (v && x in v ? v[x] : ""));
  const label = (s) => s.label[lang] || s.label.it;
  const svc = (id) => info && info.services.find((s) => s.id === id);
  const dmy = (iso) => { const [y, m, d] = iso.split("-"); return `${d}/${m}/${y}`; };
  // The site's time zone, not this PC's: "Arrivato alle 10:02" is the desk's local time.
  const hhmm = (iso) => new Date(iso).toLocaleTimeString(lang === "it" ? "it-IT" : "en-GB",
    {hour: "2-digit", minute: "2-digit", timeZone: (info && info.timezone) || undefined});

  async function send(path, body) {
    try {
      return await fetch(path, {method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"},
        body: JSON.stringify(body || {}), signal: AbortSignal.timeout(15000)});
    } catch (err) {
      return null;
    }
  }

  function render() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    $("lang").textContent = t("switch");
    $("lang").lang = lang === "it" ? "en" : "it";
    if (!info) return;
    $("ticket-lang").replaceChildren(...info.languages.map((code) => {
      const b = document.createElement("button");
      b.type = "button";
      b.setAttribute("role", "radio");
      b.setAttribute("aria-checked", String(code === ticketLang));
      b.textContent = code.toUpperCase();
      b.addEventListener("click", () => { ticketLang = code; render(); });
      return b;
    }));
    $("services").replaceChildren(...info.services.filter((s) => !s.appointments).map((s) => {
      const b = document.createElement("button");
      b.type = "button";
      b.style.setProperty("--c", s.colour);
      b.dataset.service = s.id;
      b.textContent = s.prefix + " · " + label(s);
      b.addEventListener("click", () => issue(s.id));
      return b;
    }));
    const chosen = $("service").value;
    $("service").replaceChildren(...info.services.filter((s) => !s.appointments).map((s) => new Option(label(s), s.id)));
    if (chosen) $("service").value = chosen;
    showIssued();
    showBooked();
    showList();
  }

  function showIssued() {
    const x = lastIssued;
    $("issued").hidden = !x;
    if (!x) return;
    $("issued-code").textContent = x.code;
    $("issued-service").textContent = svc(x.service) ? label(svc(x.service)) : x.service;
    const n = x.ahead;
    $("issued-ahead").textContent = n === null ? t("ahead_unknown") : (n === 0 ? t("ahead_none") : (n === 1 ? t("ahead_one") : t("ahead_many", {n: n})));
    $("issued-wait").textContent = x.wait_high_min === null ? t("wait_unknown") :
      (x.wait_low_min === 0 ? t("wait_short", {high: x.wait_high_min}) : t("wait_range", {low: x.wait_low_min, high: x.wait_high_min}));
    $("issued-printed").textContent = x.printed ? t("printed") : t("on_screen");
    const qr = $("issued-qr");
    qr.hidden = x.printed || !x.follow_url;
    if (!qr.hidden) { qr.src = "/reception/qr/" + x.follow_url.split("/").pop() + ".svg"; qr.alt = x.follow_url; }
  }

  function showBooked() {
    const a = lastBooked;
    $("booked").hidden = !a;
    if (!a) return;
    const p1 = document.createElement("p");
    p1.textContent = t("booked", {day: dmy(a.day), time: a.time, service: svc(a.service) ? label(svc(a.service)) : a.service});
    const p2 = document.createElement("p");
    p2.textContent = t("booked_number");
    const n = document.createElement("p");
    n.className = "number";
    n.id = "booked-number";
    n.textContent = grouped(a.number);
    n.dataset.number = a.number;
    const p3 = document.createElement("p");
    p3.className = "note";
    p3.textContent = t("booked_how", {early: info.checkin_early_min, late: info.checkin_late_min});
    $("booked").replaceChildren(p1, p2, n, p3);
  }

  let calendar = null;  // the online booking's import (issue 23): a fault is said above the list
  function showCalendar() {
    const fault = Boolean(calendar && calendar.error);
    $("calendar-fault").hidden = !fault;
    $("calendar-fault").textContent = !fault ? "" : calendar.last_ok_at ? t("calendar_fault", {t: hhmm(calendar.last_ok_at)}) : t("calendar_never");
  }

  function showList() {
    showCalendar();
    const day = $("list-day").value;
    $("list-title").textContent = day ? t("list_title", {day: dmy(day)}) : "";
    $("list-empty").hidden = listed.length > 0;
    $("list").hidden = listed.length === 0;
    $("list").querySelector("tbody").replaceChildren(...listed.map((a) => {
      const tr = document.createElement("tr");
      const status = a.status === "checked_in" ? t(a.ticket_code ? "st_checked_in_code" : "st_checked_in",
        {t: a.checked_in_at ? hhmm(a.checked_in_at) : "", code: a.ticket_code || ""}) : t("st_" + a.status);
      const cells = [a.time, grouped(a.number), svc(a.service) ? label(svc(a.service)) : a.service, a.online ? t("online") : a.reference || "—", status];
      cells.forEach((text) => { const td = document.createElement("td"); td.textContent = text; tr.appendChild(td); });
      const td = document.createElement("td");
      const action = a.status === "booked" ? "cancel" : "reopen";
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = t(action);
      b.setAttribute("aria-label", t(action + "_this", {number: a.number}));
      b.addEventListener("click", () => change(a, action));
      td.appendChild(b);
      tr.appendChild(td);
      return tr;
    }));
  }

  // A double click must not print two tickets: one request at a time, the buttons disabled meanwhile.
  let issuing = false;
  async function issue(service) {
    if (issuing) return;
    issuing = true;
    document.querySelectorAll("#services button").forEach((b) => { b.disabled = true; });
    try { await issueNow(service); } finally {
      issuing = false;
      document.querySelectorAll("#services button").forEach((b) => { b.disabled = false; });
    }
  }

  async function issueNow(service) {
    $("issue-error").textContent = "";
    // Each click has its own request id: the same request delivered twice prints one ticket.
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    const requestId = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    const r = await send("/api/reception/tickets", {service: service, lang: ticketLang, request_id: requestId});
    if (!r) { $("issue-error").textContent = t("not_done"); return; }
    if (r.status === 401) { showLock(); return; }
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      lastIssued = null;
      showIssued();
      const key = {closed: "err_ticket_closed", printer: "err_printer", exhausted: "err_exhausted"}[body.reason];
      const repeated = body.refusal && body.refusal.reason === "repeated";
      $("issue-error").textContent = repeated ? t("err_repeated", {code: body.refusal.code}) : key ? t(key) : (body.message || body.error || r.status);
      return;
    }
    lastIssued = body;
    showIssued();
  }

  async function loadList() {
    const day = $("list-day").value;
    const r = await fetch(`/api/reception/appointments?day=${encodeURIComponent(day)}`, {credentials: "same-origin"}).catch(() => null);
    if (!r) { $("book-error").textContent = t("not_done"); return; }
    if (r.status === 401) { showLock(); return; }
    const body = await r.json().catch(() => ({}));
    listed = r.ok ? body.appointments : [];
    calendar = r.ok ? body.calendar : null;
    showList();
  }

  async function change(a, action) {
    const r = await send(`/api/reception/appointments/${a.day}/${a.number}/${action}`, {});
    if (!r) { $("book-error").textContent = t("not_done"); return; }
    if (r.status === 401) { showLock(); return; }
    loadList();
  }

  let booking = false;
  let duplicateSlot = null;  // the slot the hub warned about: booked on the next press only
  $("book").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (booking) return;  // one appointment per click, however fast the second click comes
    booking = true;
    const submit = $("book").querySelector("button[type=submit]");
    submit.disabled = true;
    try { await bookNow(); } finally { booking = false; submit.disabled = false; }
  });

  async function bookNow() {
    $("book-error").textContent = "";
    const body = {day: $("day").value, time: $("time").value, service: $("service").value, reference: $("reference").value.trim()};
    const slot = [body.day, body.time, body.service].join(" ");
    if (slot === duplicateSlot) body.duplicate_ok = true;  // the second press after the warning confirms it
    duplicateSlot = null;
    const r = await send("/api/reception/appointments", body);
    if (!r) { $("book-error").textContent = t("not_done"); return; }
    if (r.status === 401) { showLock(); return; }
    const answer = await r.json().catch(() => ({}));
    if (!r.ok) {
      const key = {day: "err_day", time: (answer.error || "").includes("not open") ? "err_closed" : "err_time",
        service: "err_service", reference: "err_reference", duplicate: "err_duplicate"}[answer.field];
      if (answer.field === "duplicate") duplicateSlot = slot;
      $("book-error").textContent = answer.reason === "too_many" ? t("err_too_many")
        : key ? t(key, {time: body.time, day: body.day ? dmy(body.day) : ""}) : (answer.message || answer.error || r.status);
      return;
    }
    lastBooked = answer.appointment;
    $("reference").value = "";
    showBooked();
    $("list-day").value = lastBooked.day;
    loadList();
  }
  $("list-day").addEventListener("change", loadList);

  function showLock() { $("lock").hidden = false; $("reception").hidden = true; $("logout").hidden = true; $("pin").focus(); }
  async function open() {
    const r = await fetch("/api/reception/session", {credentials: "same-origin"}).catch(() => null);
    if (!r || !r.ok) {
      showLock();
      const body = r ? await r.json().catch(() => ({})) : {};
      if (body.paired === false) { $("lock-error").textContent = t("unpaired"); $("pair-link").hidden = false; }
      return;
    }
    info = await r.json();
    ticketLang = ticketLang || info.languages[0];
    $("day").value = $("day").value || info.today;
    $("list-day").value = $("list-day").value || info.today;
    $("lock").hidden = true; $("reception").hidden = false; $("logout").hidden = false;
    render();
    loadList();
  }

  $("unlock").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await send("/reception/unlock", {pin: $("pin").value});
    $("pin").value = "";
    if (!r) { $("lock-error").textContent = t("not_done"); return; }
    const body = await r.json().catch(() => ({}));
    if (r.ok) { $("lock-error").textContent = ""; open(); }
    else if (body.reason === "unpaired") { $("lock-error").textContent = t("unpaired"); $("pair-link").hidden = false; }
    else if (r.status === 429) $("lock-error").textContent = t("locked", {s: body.retry_after_s || 60});
    else $("lock-error").textContent = body.attempts_left ? t("wrong_pin_left", {n: body.attempts_left}) : t("wrong_pin");
  });
  $("logout").addEventListener("click", async () => { await send("/reception/logout", {}); info = null; showLock(); });
  $("lang").addEventListener("click", () => { lang = lang === "it" ? "en" : "it"; localStorage.setItem("totem-reception-lang", lang); render(); });
  // Live: a check-in at the totem or another PC's change shows here within a second or two.
  let pendingList = null;
  const source = new EventSource("/api/events");
  source.addEventListener("state", (ev) => {
    try {  // a full hub disk shows here as on every console
      const s = JSON.parse(ev.data);
      $("disk").hidden = !(s.disk && s.disk.full);
      $("disk").textContent = t("disk_full");
    } catch (err) { /* a malformed event changes nothing */ }
    if (!info || pendingList) return;
    pendingList = setTimeout(() => { pendingList = null; loadList(); }, 500);
  });
  render();
  open();
})();
