/* Field pages: offline cache (service worker) and the copy button of the notice text. */
(function () {
  "use strict";
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/field/sw.js", { scope: "/field/" }).catch(function () {});
  }
  // Signing out on a shared phone: drop the cached pages and every draft already on the
  // server; a draft with unsent work stays until its owner signs in again and sends it.
  document.querySelectorAll('form[action$="/accounts/logout/"]').forEach(function (form) {
    form.addEventListener("submit", function () {
      if (window.caches) {
        caches.keys().then(function (names) {
          names.forEach(function (n) { if (n.indexOf("spotcheck-field-") === 0) { caches.delete(n); } });
        });
      }
      Object.keys(window.localStorage).forEach(function (key) {
        if (key.indexOf("spotcheck.field.") !== 0) { return; }
        try {
          var d = JSON.parse(window.localStorage.getItem(key));
          var unsent = d.rev > d.syncedRev || d.outbox || d.signOutbox || (d.photos && d.photos.length);
          if (!unsent) { window.localStorage.removeItem(key); }
        } catch (e) { window.localStorage.removeItem(key); }
      });
    });
  });
  document.querySelectorAll("[data-copy-target]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var source = document.getElementById(btn.dataset.copyTarget);
      var done = function () { btn.textContent = "已复制"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(done, function () { source.select(); });
      } else {
        source.select();
        if (document.execCommand("copy")) { done(); }
      }
    });
  });
}());
