/* Service worker of the field pages (/field/): the pages and static files an inspector
 * needs stay readable without a network.
 *
 * - Pages (navigations under /field/): network first, the cached copy when offline, and
 *   a styled page saying what to do when the page was never stored.
 * - Static files: network first (a new release reaches the phone at once), the cached
 *   copy when offline or when the network is too slow to answer.
 * - Photos of a record (/field/photos/<id>/): they never change, so cache first.
 * - "precache" messages (field-offline.js): the 现场检查 page names the pages of the
 *   inspector's current records; each page is fetched and stored with the static files
 *   and photos it refers to, so that a record never opened before opens offline.
 * Writes (POST) always go to the network; the record page keeps unsent work in the
 * phone's storage itself (field-record.js). */
"use strict";
var CACHE = "spotcheck-field-v2";
var STATIC_TIMEOUT_MS = 4000;

var OFFLINE_PAGE = [
  "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
  "<meta name=\"theme-color\" content=\"#0a58ca\"><title>没有网络 · 现场检查</title><style>",
  "body{margin:0;font-family:system-ui,-apple-system,\"PingFang SC\",\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;",
  "background:#f8f9fa;color:#212529;line-height:1.6}",
  "header{background:#0a58ca;color:#fff;padding:.75rem 1rem;font-weight:600;font-size:1.1rem}",
  "main{max-width:36rem;margin:1.5rem auto;padding:0 1rem}",
  ".card{background:#fff;border:1px solid #dee2e6;border-radius:.5rem;padding:1.25rem}",
  "h1{font-size:1.35rem;margin:0 0 .75rem}ol{padding-left:1.25rem;margin:.5rem 0 1rem}li{margin-bottom:.35rem}",
  ".btn{display:block;text-align:center;text-decoration:none;border-radius:.375rem;padding:.8rem 1rem;",
  "font-size:1.05rem;margin-top:.75rem;min-height:1.5rem}",
  ".btn-primary{background:#0a58ca;color:#fff}.btn-outline{border:1px solid #0a58ca;color:#0a58ca;background:#fff}",
  ".note{color:#6c757d;font-size:.9rem;margin-top:1rem}",
  "</style></head><body><header>现场检查</header><main><div class=\"card\" data-testid=\"offline-fallback\">",
  "<h1>当前没有网络，此页面未保存在手机上</h1>",
  "<p>这个页面还没有在联网时打开过，所以无法离线显示。您可以：</p><ol>",
  "<li>返回“现场检查”，打开今天和本周的检查记录——联网时打开过“现场检查”，这些记录已保存在手机上，可以离线查看和填写；</li>",
  "<li>到有信号的地方后点击“重新加载”。</li></ol>",
  "<a class=\"btn btn-primary\" href=\"/field/\">返回现场检查</a>",
  "<a class=\"btn btn-outline\" href=\"\">重新加载</a>",
  "<p class=\"note\">已填写的记录、照片和签字保存在手机上，联网后会自动同步到服务器。</p>",
  "</div></main></body></html>"
].join("");

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("spotcheck-field-") === 0 && n !== CACHE; })
        .map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function store(key, res) {
  if (!res.ok || res.redirected || res.type !== "basic") { return Promise.resolve(false); }
  return caches.open(CACHE).then(function (c) { return c.put(key, res); }).then(function () { return true; });
}

function cached(req) { return caches.match(req, { ignoreVary: true }); }

function offlinePage() {
  return new Response(OFFLINE_PAGE, {
    status: 503, statusText: "Offline",
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }
  });
}

// The network's answer, stored; the stored copy when the network fails or is too slow.
function networkFirst(req, timeoutMs) {
  return new Promise(function (resolve, reject) {
    var settled = false;
    var timer = null;
    function fallback(error) {
      cached(req).then(function (hit) {
        if (settled) { return; }
        if (hit) { settled = true; resolve(hit); } else if (error) { settled = true; reject(error); }
      });
    }
    if (timeoutMs) { timer = setTimeout(function () { fallback(null); }, timeoutMs); }
    fetch(req).then(function (res) {
      clearTimeout(timer);
      store(req, res.clone());
      if (!settled) { settled = true; resolve(res); }
    }, function (error) {
      clearTimeout(timer);
      fallback(error);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") { return; }
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(networkFirst(req, STATIC_TIMEOUT_MS));
    return;
  }
  if (url.pathname.indexOf("/field/photos/") === 0 && req.mode !== "navigate") {
    event.respondWith(cached(req).then(function (hit) {
      return hit || fetch(req).then(function (res) { store(req, res.clone()); return res; });
    }));
    return;
  }
  if (url.pathname.indexOf("/field/") === 0 && req.mode === "navigate") {
    event.respondWith(fetch(req).then(function (res) {
      store(req, res.clone());
      return res;
    }).catch(function () {
      return cached(req).then(function (hit) { return hit || offlinePage(); });
    }));
  }
});

// ---------------------------------------------------------------------- precaching

// Same-origin paths a stored page needs offline: its static files and its photos.
function referencedPaths(html) {
  var found = {};
  var re = /(?:src|href)="(\/(?:static\/[^"?#]+|field\/photos\/\d+\/))"/g;
  var m;
  while ((m = re.exec(html)) !== null) { found[m[1]] = true; }
  return Object.keys(found);
}

function fieldPage(path) {
  return typeof path === "string" && /^\/field\/[^?#]*$/.test(path) && path.indexOf("..") < 0;
}

// Fetch a page and store it; answers the paths it refers to, or null when it failed.
function precachePage(path) {
  return fetch(path, { credentials: "same-origin", cache: "no-store" }).then(function (res) {
    var type = res.headers.get("Content-Type") || "";
    if (!res.ok || res.redirected || type.indexOf("text/html") !== 0) { return null; }
    return res.clone().text().then(function (html) {
      return store(path, res).then(function (ok) { return ok ? referencedPaths(html) : null; });
    });
  }).catch(function () { return null; });
}

function precacheAsset(path) {
  var photo = path.indexOf("/field/photos/") === 0;
  return (photo ? cached(path) : Promise.resolve(null)).then(function (hit) {
    if (hit) { return true; }
    return fetch(path, { credentials: "same-origin" })
      .then(function (res) { return store(path, res); })
      .catch(function () { return false; });
  });
}

// Run ``work`` over ``list`` with at most ``width`` at a time (the server is not flooded).
function eachLimited(list, width, work) {
  var results = new Array(list.length);
  var next = 0;
  function lane() {
    if (next >= list.length) { return Promise.resolve(); }
    var i = next++;
    return work(list[i]).then(function (r) { results[i] = r; return lane(); });
  }
  var lanes = [];
  for (var k = 0; k < Math.min(width, list.length); k++) { lanes.push(lane()); }
  return Promise.all(lanes).then(function () { return results; });
}

function precache(paths) {
  var pages = paths.filter(fieldPage);
  return eachLimited(pages, 2, precachePage).then(function (found) {
    var assets = {};
    var stored = [];
    found.forEach(function (refs, i) {
      if (refs === null) { return; }
      stored.push(pages[i]);
      refs.forEach(function (p) { assets[p] = true; });
    });
    return eachLimited(Object.keys(assets), 3, precacheAsset).then(function () {
      // what is available offline now: stored this time or on an earlier visit
      return Promise.all(pages.map(function (p) { return cached(p); })).then(function (hits) {
        return {
          type: "precached",
          requested: pages.length,
          stored: stored.length,
          available: hits.filter(Boolean).length
        };
      });
    });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "precache" || !Array.isArray(data.paths)) { return; }
  var port = event.ports && event.ports[0];
  event.waitUntil(precache(data.paths).then(function (answer) {
    if (port) { port.postMessage(answer); }
  }, function () {
    if (port) { port.postMessage({ type: "precached", requested: data.paths.length, stored: 0, available: 0 }); }
  }));
});
