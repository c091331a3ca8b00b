/* Field pages: keep the inspector's current work on the phone for use without a network.
 *
 * The 现场检查 page names, in #field-precache, the pages of today's and this week's
 * records (and of those returned or overdue); once the service worker is active they are
 * handed to it (field-sw.js), which stores them with their styles, scripts and photos.
 * Any other field page that was opened before the service worker controlled it (the very
 * first visit) asks for itself to be stored, so that a reload without network shows it. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.isSecureContext || !window.MessageChannel) { return; }
  var listEl = document.getElementById("field-precache");
  var statusEl = document.getElementById("offline-status");
  var paths = listEl ? JSON.parse(listEl.textContent) : [];
  if (!navigator.serviceWorker.controller) {
    var here = window.location.pathname;
    if (paths.indexOf(here) < 0) { paths.push(here); }
  }
  if (!paths.length) { return; }

  function say(state, text) {
    if (!statusEl) { return; }
    statusEl.dataset.state = state;
    statusEl.textContent = text;
    statusEl.classList.remove("d-none");
  }

  var records = statusEl ? Number(statusEl.dataset.records || 0) : 0;
  if (!navigator.onLine) {
    if (records) { say("offline", "当前没有网络：已保存在手机上的检查记录仍可打开和填写。"); }
    return;
  }
  if (records) { say("saving", "正在把待完成的检查记录保存到手机，以便没有网络时使用…"); }

  navigator.serviceWorker.ready.then(function (registration) {
    var worker = registration.active;
    if (!worker) { return; }
    var channel = new MessageChannel();
    channel.port1.onmessage = function (event) {
      var answer = event.data || {};
      var complete = answer.available >= answer.requested;
      // for whoever needs to know that the page can now be opened offline (and the tests)
      document.documentElement.dataset.offline = complete ? "stored" : "partial";
      if (!records) { return; }
      if (complete) {
        say("ready", records + " 条待完成的检查记录（今天、本周、逾期和退回的）已保存到手机，没有网络时也可以打开和填写。");
      } else {
        say("partial", "部分检查记录未能保存到手机（网络中断）。请在有网络时重新打开本页。");
      }
    };
    worker.postMessage({ type: "precache", paths: paths }, [channel.port2]);
  });
}());
