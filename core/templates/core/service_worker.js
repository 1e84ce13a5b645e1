// HaloPST's service worker: an offline page when the network is gone, and phone notifications
// (Web Push) shown even when no HaloPST tab is open. Served from / so its scope is the site.
"use strict";
var CACHE = "halopst-offline-{{ version }}";
var OFFLINE = "{% url 'offline' %}";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll([OFFLINE, "{{ stylesheet }}", "{{ icon }}"]);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) {
      return caches.delete(name);
    }));
  }).then(function () { return self.clients.claim(); }));
});

// Pages always come from the network (they are personal and live); only when it fails does
// the offline page stand in. Everything else is left to the browser.
self.addEventListener("fetch", function (event) {
  if (event.request.mode !== "navigate") { return; }
  event.respondWith(fetch(event.request).catch(function () {
    return caches.match(OFFLINE);
  }));
});

self.addEventListener("push", function (event) {
  var message = event.data ? event.data.json() : {};
  event.waitUntil(self.registration.showNotification(message.title || "HaloPST", {
    body: message.body || "",
    tag: message.tag,  // a message sent again replaces the first instead of showing twice
    icon: "{{ icon }}",
    data: { link: message.link || "/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var link = event.notification.data && event.notification.data.link;
  event.waitUntil(self.clients.openWindow(link || "/"));
});
