"use strict";
// Desk console: plain JavaScript, no build step, no network beyond the hub.
(function () {
  const desk = document.body.dataset.desk;
  const deskName = document.body.dataset.deskName;
  const T = {
    it: {
      offline: "non collegato", online: "collegato", pin_label: "PIN dello sportello", unlock: "Sblocca",
      serving: "In servizio", next: "Chiama il prossimo", recall: "Richiama", noshow: "Assente", done: "Fatto",
      transfer: "Trasferisci", totems: "Totem", today: "Oggi", waiting: "In attesa", nobody: "Nessuno in attesa",
      wrong_pin: "PIN errato", wrong_pin_left: "PIN errato: ancora {n} tentativi prima del blocco",
      locked: "Troppi tentativi: riprovare tra {s} secondi",
      pair_here: "Abbina questo browser con un codice", unpaired: "Questo browser non è abbinato a questo sportello: un tecnico lo abbina una volta (totem-display pair desk, poi la pagina /pair)", logout: "Esci", none_current: "Nessun biglietto in servizio",
      waited: "attende da {m} min", issued: "emesso alle {t}",
      counts: "{served} · {noshow} · {waiting} · {void}",
      n_served: ["{n} servito", "{n} serviti"], n_noshow: ["{n} assente", "{n} assenti"],
      n_waiting: ["{n} in attesa", "{n} in attesa"], n_void: ["{n} annullato", "{n} annullati"],
      n_minutes: ["{n} minuto", "{n} minuti"], n_tickets: ["{n} biglietto", "{n} biglietti"],
      totem_ok: "{id}: pronto", totem_paper_out: "{id}: carta esaurita", totem_paper_low: "{id}: carta in esaurimento",
      totem_cover_open: "{id}: coperchio aperto", totem_offline: "{id}: stampante scollegata",
      totem_error: "{id}: errore della stampante", totem_unknown: "{id}: stato stampante sconosciuto",
      totem_lost: "{id} non raggiungibile da {m}", backlog: " ({n} da inviare)",
      set_aside: " · {n} rifiutati dal display (totem status)", config_differs: " · configurazione diversa dal display",
      switch: "English", called: "Chiamato {code}", empty_queue: "Nessuno in attesa",
      next_up: "Prossimo: {code}", next_ratio: " (turno ordinario: {n} con precedenza di fila)",
      next_prefer: " (servizio preferito)", next_long_wait: " (attesa lunga)",
      not_done: "Display non raggiungibile: azione NON eseguita, riprovare", any_desk: "qualsiasi sportello", choose_service: "— scegliere il servizio —", choose_first: "Scegliere prima il servizio a cui trasferire", keep_priority: "Mantieni la precedenza", confirm: "Conferma", cancel: "Annulla",
      confirm_transfer: "Trasferire {code} a «{service}»{desk}? Mantiene il posto in base all'orario del biglietto.",
      to_desk: " ({desk})", only_desk: "Solo questo sportello serve «{service}»: {code} sarà richiamato da qui, al suo posto in coda.",
      transferred: "{code} trasferito a «{service}»{desk}", flagged: "Da controllare",
      flag_collision: "{code} ({totem}): stesso numero di un altro biglietto di oggi (due totem numerano uguale)",
      flag_unknown_service: "{code} ({totem}): servizio sconosciuto «{service}»: configurazione diversa",
      flag_config_mismatch: "{code} ({totem}): lettera diversa da quella del servizio: configurazione diversa",
      flag_other_day: "{code} ({totem}): emesso con un'altra data (orologio del totem errato?)",
      call_code: "Chiama il numero", call: "Chiama", call_this: "Chiama {code}",
      noshows: "Assenti di oggi", put_back: "Rimetti in coda", put_back_this: "Rimetti in coda {code}",
      returned: "{code} è di nuovo in coda, al posto del suo biglietto",
      pause: "Pausa", resume: "Riprendi", paused: "Sportello in pausa: nessuna chiamata, non conta nelle attese indicate",
      now_paused: "Sportello in pausa", now_resumed: "Sportello di nuovo aperto",
      confirm_noshow: "Segnare {code} come assente?", noshow_note: "Se arriva più tardi: «Rimetti in coda» tra gli assenti di oggi.",
      served_msg: "{code} servito", noshow_msg: "{code} segnato assente", recalled_msg: "{code} richiamato",
      undo_this: "Annulla: {what} · {s} s", undone: "Annullato: {what}", appointment: "appuntamento delle {time}, {service}",
      disk_full: "Disco pieno sul display: nuovi biglietti e azioni in attesa finché non si libera spazio (i totem li conservano e li rinviano)",
      flag_unconfirmed: "{code} ({totem}): stampa non confermata (il totem si è fermato mentre stampava): se nessuno risponde, segnare assente",
      unconfirmed: "stampa non confermata", totem_disk_full: " · disco pieno: il tecnico liberi spazio (totem status)",
      refused_called: "{desk} ha già chiamato {code}", refused_closed: "{desk} ha già chiuso {shown}: nessun biglietto in servizio",
      refused_repeated: "{desk} ha già eseguito questa richiesta ({code})", refused_paused: "{desk} è già in pausa",
      refused_open: "{desk} è già aperto", refused_undo_other: "L'ultima azione di {desk} è un'altra ({code}): niente annullato",
      refused_not_held: "{desk} non ha sospeso {code} oggi (già richiamato, o scaduto alla chiusura)",
      refused_held_elsewhere: "{code} è sospeso da un altro sportello: solo quello lo richiama",
      refused_same_service: "{code} è già per questo servizio: scegliere il secondo servizio",
      held_msg: "{code} sospeso: mantiene il posto, richiamarlo da «Sospesi» al rientro",
      added_msg: "Secondo servizio registrato per {code}", contact_msg: "Contatto registrato"
    },
    en: {
      offline: "offline", online: "connected", pin_label: "Desk PIN", unlock: "Unlock",
      serving: "Now serving", next: "Call next", recall: "Recall", noshow: "No-show", done: "Done",
      transfer: "Transfer", totems: "Totems", today: "Today", waiting: "Waiting", nobody: "Nobody waiting",
      wrong_pin: "Wrong PIN", wrong_pin_left: "Wrong PIN: {n} more attempts before the lock",
      locked: "Too many attempts: try again in {s} seconds",
      pair_here: "Pair this browser with a code", unpaired: "This browser is not paired to this desk: a technician pairs it once (totem-display pair desk, then the /pair page)", logout: "Log out", none_current: "No ticket in service",
      waited: "waiting {m} min", issued: "issued at {t}",
      counts: "{served} · {noshow} · {waiting} · {void}",
      n_served: ["{n} served", "{n} served"], n_noshow: ["{n} no-show", "{n} no-shows"],
      n_waiting: ["{n} waiting", "{n} waiting"], n_void: ["{n} void", "{n} void"],
      n_minutes: ["{n} minute", "{n} minutes"], n_tickets: ["{n} ticket", "{n} tickets"],
      totem_ok: "{id}: ready", totem_paper_out: "{id}: out of paper", totem_paper_low: "{id}: paper running low",
      totem_cover_open: "{id}: cover open", totem_offline: "{id}: printer disconnected",
      totem_error: "{id}: printer error", totem_unknown: "{id}: printer state unknown",
      totem_lost: "{id} unreachable for {m}", backlog: " ({n} to send)",
      set_aside: " · {n} refused by the display (totem status)", config_differs: " · configuration differs from the display's",
      switch: "Italiano", called: "Called {code}", empty_queue: "Nobody waiting",
      next_up: "Next: {code}", next_ratio: " (an ordinary turn: {n} priority in a row)",
      next_prefer: " (preferred service)", next_long_wait: " (long wait)",
      not_done: "Display unreachable: action NOT done, try again", any_desk: "any desk", choose_service: "— choose the service —", choose_first: "Choose the service to transfer to first", keep_priority: "Keep priority", confirm: "Confirm", cancel: "Cancel",
      confirm_transfer: "Transfer {code} to “{service}”{desk}? It keeps its place by the ticket's time.",
      to_desk: " ({desk})", only_desk: "Only this desk serves “{service}”: {code} will be called here again, in its place.",
      transferred: "{code} transferred to “{service}”{desk}", flagged: "To check",
      flag_collision: "{code} ({totem}): same number as another ticket today (two totems number alike)",
      flag_unknown_service: "{code} ({totem}): unknown service “{service}”: configuration differs",
      flag_config_mismatch: "{code} ({totem}): letter differs from the service's: configuration differs",
      flag_other_day: "{code} ({totem}): issued with another date (totem clock wrong?)",
      call_code: "Call number", call: "Call", call_this: "Call {code}",
      noshows: "Today's no-shows", put_back: "Back in the queue", put_back_this: "Put {code} back in the queue",
      returned: "{code} is back in the queue, in its ticket's place",
      pause: "Pause", resume: "Resume", paused: "Desk paused: no calls, not counted in the waits people are told",
      now_paused: "Desk paused", now_resumed: "Desk open again",
      confirm_noshow: "Mark {code} as a no-show?", noshow_note: "If they come later: “Back in the queue” among today's no-shows.",
      served_msg: "{code} served", noshow_msg: "{code} marked as a no-show", recalled_msg: "{code} called again",
      undo_this: "Undo: {what} · {s} s", undone: "Undone: {what}", appointment: "appointment at {time}, {service}",
      disk_full: "Display disk full: new tickets and actions wait until space is freed (the totems keep and resend them)",
      flag_unconfirmed: "{code} ({totem}): printing not confirmed (the totem stopped while printing): if nobody answers, mark no-show",
      unconfirmed: "printing not confirmed", totem_disk_full: " · disk full: a technician must free space (totem status)",
      refused_called: "{desk} has already called {code}", refused_closed: "{desk} already closed {shown}: no ticket in service",
      refused_repeated: "{desk} already did this request ({code})", refused_paused: "{desk} is already paused",
      refused_open: "{desk} is already open", refused_undo_other: "{desk}'s last action is another one ({code}): nothing undone",
      refused_not_held: "{desk} holds no turn {code} today (called back already, or expired at closing)",
      refused_held_elsewhere: "{code} is held by another desk: only that desk calls it back",
      refused_same_service: "{code} is already for this service: choose the second service",
      held_msg: "{code} held: it keeps its place, call it back from “Held” when they return",
      added_msg: "Second service recorded for {code}", contact_msg: "Contact recorded"
    }
  };
  let lang = localStorage.getItem("totem-desk-lang") || "it";
  // Every request says this page's language: the hub answers its messages in it (display/page_messages.py).
  const fetch = (url, init = {}) => window.fetch(url, {...init, headers: {...(init.headers || {}), "X-Totem-Lang": lang}});
  let state = null;
  let linked = false;
  const $ = (id) => document.getElementById(id);
  // Plurals: "1 servito", "2 serviti" (Italian and English both have one and many).
  const pl = (key, n) => (T[lang][key] || T.it[key])[n === 1 ? 0 : 1].replace("{n}", n);
  const t = (key, vals) => (T[lang][key] || key).replace(/\{(\w+)\}/g, (_, k) => (vals && k in vals ? vals[k] : ""));

  function translate() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    $("lang").textContent = t("switch");
    $("logout").textContent = t("logout");
    showLink();
    if (state) render(state);
  }

  let hubOffsetMs = 0;  // the hub's clock minus this PC's: "waiting N min" is the hub's time, whatever this PC says

  function render(s) {
    if (s !== state && s.now) hubOffsetMs = Date.parse(s.now) - Date.now();
    state = s;
    $("disk").hidden = !(s.disk && s.disk.full);
    $("disk").textContent = t("disk_full");
    const me = s.desks.find((d) => d.id === desk);
    const current = me && me.current;
    $("current-code").textContent = current ? current.code : "—";
    const service = current && s.services.find((x) => x.id === current.service);
    $("current-info").textContent = current ? (service ? service.label[lang] || service.label.it : "") +
      ((current.flags || []).includes("unconfirmed") ? " — " + t("unconfirmed") : "") : t("none_current");
    ["recall", "noshow", "done", "transfer", "hold", "add_service"].forEach((id) => { $(id).disabled = !current; });
    // Calling rules (issue 23): who "call next" would call now, and the rule that puts them first.
    const up = me && me.next;
    $("next-up").hidden = !up;
    $("next-up").textContent = up ? t("next_up", {code: up.code}) + (up.rule ? t("next_" + up.rule, {n: up.in_a_row}) : "") : "";
    const mine = s.services.filter((x) => me && me.services.includes(x.id));
    const paused = !!(me && me.paused);
    $("next").disabled = paused || !mine.some((x) => x.waiting > 0);
    $("paused").hidden = !paused;
    $("pause").dataset.action = paused ? "resume" : "pause";
    $("pause").querySelector("span").textContent = t(paused ? "resume" : "pause");
    $("pause").disabled = !paused && !!current;  // the ticket in service is finished first
    $("code").disabled = paused;
    const select = $("transfer-to");
    const chosen = select.value;
    // No service is preselected: a transfer needs the operator's explicit choice (T then Enter moves nothing).
    select.replaceChildren(new Option(t("choose_service"), ""),
      ...s.services.filter((x) => x.known).map((x) => new Option(x.label[lang] || x.label.it, x.id)));
    select.value = chosen || "";
    fillDesks();
    const flagged = s.flagged || [];
    $("flagged-title").hidden = !flagged.length;
    $("flagged").replaceChildren(...flagged.flatMap((x) => x.flags.map((f) => {
      const li = document.createElement("li");
      li.className = "warn";
      li.textContent = t("flag_" + f, {code: x.code, totem: x.totem, service: x.service});
      return li;
    })));
    const now = Date.now() + hubOffsetMs;
    $("queues").replaceChildren(...mine.map((x) => {
      const box = document.createElement("div");
      box.className = "queue";
      box.style.setProperty("--c", x.colour);
      const h = document.createElement("h3");
      h.textContent = x.prefix + " · " + (x.label[lang] || x.label.it);
      const n = document.createElement("div");
      n.className = "n";
      n.textContent = x.waiting;
      n.dataset.service = x.id;
      const list = document.createElement("ol");
      x.queue.slice(0, 8).forEach((q) => {
        const li = document.createElement("li");
        const text = document.createElement("span");
        const booked = q.appointment ? " — " + t("appointment", {time: q.appointment.time, service: serviceLabel(q.appointment.service)}) : "";
        const unsure = (q.flags || []).includes("unconfirmed") ? " — " + t("unconfirmed") : "";
        text.textContent = q.code + booked + unsure + " — " + t("waited", {m: Math.max(0, Math.round((now - Date.parse(q.issued_at)) / 60000))});
        // Call this one, out of the order (the operator chose it). By its code: ticket ids stay off the
        // public state (they will be the secret of a citizen's "follow your turn" page).
        const call = document.createElement("button");
        call.type = "button";
        call.className = "call-one";
        call.textContent = t("call");
        call.setAttribute("aria-label", t("call_this", {code: q.code}));
        call.disabled = paused;
        call.addEventListener("click", () => act("call", {code: q.code}));
        li.append(text, call);
        list.appendChild(li);
      });
      const empty = document.createElement("p");
      empty.textContent = t("empty_queue");
      box.append(h, n, x.queue.length ? list : empty);
      return box;
    }));
    const noshows = s.noshows || [];
    $("noshows-title").hidden = !noshows.length;
    $("noshows").replaceChildren(...noshows.map((x) => {
      const li = document.createElement("li");
      const back = document.createElement("button");  // a late citizen: back at the ticket's own place
      back.type = "button";
      back.textContent = t("put_back");
      back.setAttribute("aria-label", t("put_back_this", {code: x.code}));
      back.addEventListener("click", () => act("return", {code: x.code}));
      li.append(x.code + " ", back);
      return li;
    }));
    const c = s.counts;
    $("counts").textContent = t("counts", {served: pl("n_served", c.served), noshow: pl("n_noshow", c.noshow),
      waiting: pl("n_waiting", c.waiting), void: pl("n_void", c.void)});
    $("totems").replaceChildren(...s.totems.map((x) => {
      const li = document.createElement("li");
      if (!x.reachable) {
        li.className = "bad";
        li.textContent = t("totem_lost", {id: x.id, m: pl("n_minutes", Math.max(1, Math.round(x.seen_s_ago / 60)))});
      } else {
        const key = x.printer === "ready" ? "totem_ok" : "totem_" + (x.printer || "unknown");
        li.className = x.printer === "ready" ? "" : (x.printer === "paper_low" ? "warn" : "bad");
        const differs = x.fingerprint && s.fingerprint && x.fingerprint !== s.fingerprint;
        li.textContent = t(key, {id: x.id}) + (x.backlog ? t("backlog", {n: pl("n_tickets", x.backlog)}) : "") +
          (x.set_aside ? t("set_aside", {n: pl("n_tickets", x.set_aside)}) : "") + (differs ? t("config_differs") : "") +
          (x.disk_full ? t("totem_disk_full") : "");
        if (differs || x.set_aside || x.disk_full) li.className = "bad";
      }
      return li;
    }));
    document.dispatchEvent(new CustomEvent("desk:render", {detail: {state: s, me: me, lang: lang}}));  // desk_visits.js
  }

  function serviceLabel(id) {
    const x = state && state.services.find((v) => v.id === id);
    return x ? (x.label[lang] || x.label.it) : id;
  }

  function fillDesks() {
    // Where more desks serve the chosen service, the operator may send the citizen to one of them.
    const pick = $("transfer-desk");
    const chosen = pick.value;
    const service = $("transfer-to").value;
    const able = state ? state.desks.filter((d) => d.services.includes(service)) : [];
    pick.replaceChildren(new Option(t("any_desk"), ""), ...able.map((d) => new Option(d.name, d.id)));
    pick.hidden = able.length < 2;
    if (chosen && able.some((d) => d.id === chosen)) pick.value = chosen;
  }

  let pending = null;  // the action the open confirmation is about
  let pendingShown = null;  // and the ticket it names: the request says that one, even if the state moved meanwhile

  function askNoshow() {
    const me = state && state.desks.find((d) => d.id === desk);
    const current = me && me.current;
    if (!current) return;
    pending = "noshow";
    pendingShown = shown();
    $("confirm-text").textContent = t("confirm_noshow", {code: current.code});
    $("keep-priority").parentElement.hidden = true;
    $("confirm-note").textContent = t("noshow_note");
    $("confirm").hidden = false;
    $("confirm-yes").focus();
  }

  function askTransfer() {
    const me = state && state.desks.find((d) => d.id === desk);
    const current = me && me.current;
    if (!current) return;
    if (!$("transfer-to").value) { $("message").textContent = t("choose_first"); $("transfer-to").focus(); return; }
    pending = "transfer";
    pendingShown = shown();
    $("keep-priority").parentElement.hidden = false;
    const deskId = $("transfer-desk").hidden ? "" : $("transfer-desk").value;
    const target = state.desks.find((d) => d.id === deskId);
    $("confirm-text").textContent = t("confirm_transfer", {code: current.code, service: serviceLabel($("transfer-to").value),
      desk: target ? t("to_desk", {desk: target.name}) : ""});
    $("keep-priority").checked = !!current.priority;
    $("confirm-note").textContent = "";
    $("confirm").hidden = false;
    $("confirm-yes").focus();
  }

  // Each click says what it acted on (the ticket this page shows in service) and carries its own request id:
  // the hub refuses a duplicate, and a click made on a state another tab has changed since (rule 10).
  function requestId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);  // crypto.randomUUID needs a secure context; the hub is plain HTTP on the LAN
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function shown() {
    const me = state && state.desks.find((d) => d.id === desk);
    const current = me && me.current;
    return current ? {code: current.code, called_at: current.called_at} : null;
  }
  // A refusal in this page's language, from the hub's reason and the codes it names.
  function refusal(body, status) {
    const r = body.refusal;
    if (!r) return body.message || body.error || status;  // the hub speaks the page's language
    return t("refused_" + r.reason, {desk: r.desk_name || deskName, code: r.code || "—", shown: r.shown || "—"});
  }
  // After every answer the page shows the hub's state as it is now, not as this tab last saw it.
  async function refresh() {
    try {
      const r = await fetch("/api/state", {cache: "no-store", signal: AbortSignal.timeout(1000)});
      if (r.ok) render(await r.json());
    } catch (err) { /* the event stream brings it */ }
  }

  // One action at a time: a double click on "Chiama il prossimo" calls one citizen, not two.
  let acting = false;
  async function act(action, chosen) {
    if (acting) return;
    acting = true;
    document.body.dataset.busy = action;  // until the answer and the true state are shown
    try { await actNow(action, chosen); } finally { acting = false; delete document.body.dataset.busy; }
  }

  async function actNow(action, chosen) {
    const button = action === "resume" ? $("pause") : $(action);
    if (!chosen && (!button || button.disabled)) return;  // a click with its own input (a code, a service) has no button state
    if (action === "transfer" && $("confirm").hidden) { askTransfer(); return; }
    if (action === "noshow" && $("confirm").hidden) { askNoshow(); return; }  // one click must not send a citizen away
    if (action === "noshow") $("confirm").hidden = true;
    const init = {method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"}};
    const confirmed = action === "noshow" || action === "transfer";  // after its dialog: the ticket the dialog named
    const said = {request_id: requestId(), current: confirmed ? pendingShown : shown()};
    init.body = JSON.stringify(said);
    let moved = null;
    if (action === "transfer") {
      if (!$("transfer-to").value) { $("confirm").hidden = true; return; }  // never without a chosen service
      const deskId = $("transfer-desk").hidden ? "" : $("transfer-desk").value;
      moved = {service: $("transfer-to").value, priority: $("keep-priority").checked};
      if (deskId) moved.desk = deskId;
      init.body = JSON.stringify({...said, ...moved});
      $("confirm").hidden = true;
    }
    if (chosen) init.body = JSON.stringify({...said, ...chosen});
    // Nothing is queued in the browser: an action the hub does not confirm within 1 s is reported as not done.
    let r;
    try {
      r = await fetch(`/api/desks/${encodeURIComponent(desk)}/${action}`, {...init, signal: AbortSignal.timeout(1000)});
    } catch (err) {
      $("message").textContent = t("not_done");
      linked = false; showLink();
      return;
    }
    if (r.status === 401) { showLock(); return; }
    if (r.status === 204) { $("message").textContent = t("nobody"); await refresh(); return; }
    const body = await r.json().catch(() => ({}));
    let text = r.ok ? "" : refusal(body, r.status);
    if (r.ok && (action === "next" || action === "call" || action === "callback") && body.ticket) text = t("called", {code: body.ticket.code});
    if (r.ok && action === "return" && body.ticket) text = t("returned", {code: body.ticket.code});
    const told = {done: "served_msg", noshow: "noshow_msg", recall: "recalled_msg", hold: "held_msg", add_service: "added_msg"}[action];
    if (r.ok && action === "contact") text = t("contact_msg");
    if (r.ok && told && body.ticket) text = t(told, {code: body.ticket.code});
    if (r.ok && (action === "pause" || action === "resume")) text = t(action === "pause" ? "now_paused" : "now_resumed");
    if (r.ok && action === "transfer" && body.ticket) {
      const target = moved.desk && state.desks.find((d) => d.id === moved.desk);
      const vals = {code: body.ticket.code, service: serviceLabel(moved.service), desk: target ? t("to_desk", {desk: target.name}) : ""};
      text = body.only_desk ? t("only_desk", vals) : t("transferred", vals);
    }
    $("message").textContent = text;
    if (r.ok && text && UNDOABLE.includes(action)) offerUndo(text, said.request_id);
    await refresh();
  }

  // The last action that changed the queue can be taken back for a short while (the hub keeps it
  // and checks nobody acted on those tickets since); the button counts the seconds down.
  const UNDOABLE = ["next", "call", "return", "done", "noshow", "transfer", "hold", "callback"];
  let undoOffer = null;
  function offerUndo(what, requestOf) {
    undoOffer = {what: what, undoes: requestOf, until: Date.now() + ((state && state.undo_window_s) || 30) * 1000};
    showUndo();
  }
  function showUndo() {
    const b = $("undo");
    if (!undoOffer || Date.now() >= undoOffer.until) { undoOffer = null; b.hidden = true; return; }
    const kbd = document.createElement("kbd");
    kbd.textContent = "U";
    b.replaceChildren(t("undo_this", {what: undoOffer.what, s: Math.ceil((undoOffer.until - Date.now()) / 1000)}) + " ", kbd);
    b.hidden = false;
  }
  async function undo() {
    if (!undoOffer) return;
    const what = undoOffer.what;
    const undoes = undoOffer.undoes;
    undoOffer = null;
    showUndo();
    let r;
    try {
      r = await fetch(`/api/desks/${encodeURIComponent(desk)}/undo`, {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json"}, body: JSON.stringify({request_id: requestId(), undoes: undoes}),
        signal: AbortSignal.timeout(1000)});
    } catch (err) {
      $("message").textContent = t("not_done");
      linked = false; showLink();
      return;
    }
    if (r.status === 401) { showLock(); return; }
    const body = await r.json().catch(() => ({}));
    $("message").textContent = r.ok ? t("undone", {what: what}) : refusal(body, r.status);
    await refresh();
  }
  setInterval(showUndo, 1000);

  function showLink() {
    $("link").className = linked ? "link" : "link down";
    $("link").textContent = t(linked ? "online" : "offline");
  }

  function showUnpaired() { showLock(); $("lock-error").textContent = t("unpaired"); $("pair-link").hidden = false; }
  function showLock() { $("lock").hidden = false; $("console").hidden = true; $("logout").hidden = true; $("pin").focus(); }
  function showConsole() { $("lock").hidden = true; $("console").hidden = false; $("logout").hidden = false; }

  $("unlock").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await fetch(`/desk/${encodeURIComponent(desk)}/unlock`, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify({pin: $("pin").value})});
    $("pin").value = "";
    const body = await r.json().catch(() => ({}));
    if (r.ok) { $("lock-error").textContent = ""; showConsole(); }
    else if (body.reason === "unpaired") showUnpaired();
    else if (r.status === 429) $("lock-error").textContent = t("locked", {s: body.retry_after_s || 60});
    else $("lock-error").textContent = body.attempts_left ? t("wrong_pin_left", {n: body.attempts_left}) : t("wrong_pin");
  });
  $("logout").addEventListener("click", async () => {
    await fetch(`/desk/${encodeURIComponent(desk)}/logout`, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"}, body: "{}"});
    showLock();
  });
  document.querySelectorAll("button[data-action]").forEach((b) => b.addEventListener("click", () => act(b.dataset.action)));
  $("transfer-to").addEventListener("change", fillDesks);
  $("call-code").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const code = $("code").value.trim().toUpperCase();
    if (!code) return;
    $("code").value = "";
    act("call", {code: code});
  });
  $("confirm-yes").addEventListener("click", () => act(pending));
  $("undo").addEventListener("click", undo);
  $("confirm-no").addEventListener("click", () => { $("confirm").hidden = true; });
  $("lang").addEventListener("click", () => { lang = lang === "it" ? "en" : "it"; localStorage.setItem("totem-desk-lang", lang); translate(); });
  document.addEventListener("keydown", (ev) => {
    if ($("console").hidden || ev.target.tagName === "INPUT" || ev.target.tagName === "SELECT" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (!$("confirm").hidden) { if (ev.key === "Escape") $("confirm").hidden = true; return; }  // a confirmation is open
    const action = {n: "next", r: "recall", a: "noshow", f: "done", d: "done", t: "transfer", s: "hold",
      p: $("pause").dataset.action}[ev.key.toLowerCase()];
    if (ev.key.toLowerCase() === "u") { ev.preventDefault(); undo(); return; }
    if (action) { ev.preventDefault(); act(action); }
  });

  // The hub sends a ping every second: three seconds without any event is a lost link,
  // even when no TCP error arrives (a cable pulled, a hub frozen).
  let lastEventAt = 0;
  function heard() { lastEventAt = Date.now(); if (!linked) { linked = true; showLink(); } }
  function connect() {
    const source = new EventSource("/api/events");
    source.addEventListener("state", (ev) => { heard(); render(JSON.parse(ev.data)); });
    source.addEventListener("ping", heard);
    source.onopen = heard;
    source.onerror = () => { linked = false; showLink(); };  // EventSource reconnects by itself
  }
  setInterval(() => { if (linked && Date.now() - lastEventAt > 3000) { linked = false; showLink(); } }, 500);

  // Locked until the PIN is typed: ask the hub whether this browser holds the desk's session.
  fetch(`/api/desks/${encodeURIComponent(desk)}/session`, {credentials: "same-origin"}).then((r) => {
    if (r.status !== 401) { showConsole(); return; }
    r.json().catch(() => ({})).then((body) => { if (body.paired === false) showUnpaired(); else showLock(); });
  });
  window.totemDesk = {act: act};  // for desk_visits.js: its clicks go through the same request-id and refusal path
  translate();
  connect();
  setInterval(() => { if (state) render(state); }, 30000);  // waiting minutes move on
})();
