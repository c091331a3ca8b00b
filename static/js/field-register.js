/* Field pages: offline cache (service worker) and the copy button of the notice text. */
(function () {
  "use strict";
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/field/sw.js", { scope: "/field/" }).catch(function () {});
  }
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
