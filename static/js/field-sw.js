/* Service worker of the field pages (/field/): the pages and static files an inspector
 * opened stay readable without a network.  Pages: network first, the cached copy when
 * offline.  Static files: cache first.  Writes (POST) always go to the network; the
 * page keeps unsent work in the phone's storage itself (field-record.js). */
"use strict";
var CACHE = "spotcheck-field-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("spotcheck-field-") === 0 && n !== CACHE; })
        .map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") { return; }
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (res) {
        if (res.ok) { var copy = res.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
        return res;
      });
    }));
    return;
  }
  if (url.pathname.indexOf("/field/") === 0 && req.mode === "navigate") {
    event.respondWith(fetch(req).then(function (res) {
      if (res.ok && !res.redirected) { var copy = res.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
      return res;
    }).catch(function () {
      return caches.match(req).then(function (hit) {
        return hit || new Response("<!doctype html><meta charset=utf-8><title>离线</title><p>当前没有网络，此页面尚未缓存。已填写的记录保存在手机上，联网后会自动同步。</p>",
          { headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
    }));
  }
});
