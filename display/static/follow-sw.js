"use strict";
// The follow page's service worker (issue 22): shows the hub's "nearly your turn" Web Push with the
// page closed, and opens (or focuses) the ticket's page when the citizen taps it. Served at /t/sw.js.
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (err) { data = {body: event.data ? event.data.text() : ""}; }
  event.waitUntil(self.registration.showNotification(data.title || "Totem", {
    body: data.body || "", tag: data.tag || "totem-near", renotify: true, data: {url: data.url || "/"},
    vibrate: [300, 150, 300, 150, 600]
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.matchAll({type: "window", includeUncontrolled: true}).then((list) => {
    const open = list.find((c) => new URL(c.url).pathname === url);
    return open ? open.focus() : self.clients.openWindow(url);
  }));
});
