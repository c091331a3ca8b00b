/* 检查对象重新签字: the enterprise signs a returned record again, or its refusal is
   recorded with a witness; sent as JSON to the same URL. */
(function () {
  "use strict";
  var app = document.getElementById("resign-app");
  var submit = document.getElementById("resign-submit");
  if (!app || !submit || !window.SignaturePad) { return; }
  var errorsEl = document.getElementById("resign-errors");
  var pads = {};

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function value(id) { return document.getElementById(id).value; }

  function showErrors(list) {
    errorsEl.textContent = list.join("；");
    errorsEl.classList.toggle("d-none", list.length === 0);
    if (list.length) { errorsEl.scrollIntoView({ block: "center" }); }
  }

  function size(name) {
    var pad = pads[name];
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    if (!pad.canvas.offsetWidth) { return; }
    pad.canvas.width = pad.canvas.offsetWidth * ratio;
    pad.canvas.height = pad.canvas.offsetHeight * ratio;
    pad.canvas.getContext("2d").scale(ratio, ratio);
    pad.sp.clear();
  }

  document.querySelectorAll("[data-resign-pad]").forEach(function (box) {
    var canvas = box.querySelector("canvas");
    pads[box.dataset.resignPad] = {
      canvas: canvas,
      sp: new window.SignaturePad(canvas, { minWidth: 1, maxWidth: 2.5, penColor: "#111" })
    };
    size(box.dataset.resignPad);
  });
  document.querySelectorAll("[data-resign-clear]").forEach(function (btn) {
    btn.addEventListener("click", function () { pads[btn.dataset.resignClear].sp.clear(); });
  });

  function refused() { return document.getElementById("party-refuses").checked; }

  document.querySelectorAll("input[name=party-mode]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      document.getElementById("party-sign-block").classList.toggle("d-none", refused());
      document.getElementById("party-refuse-block").classList.toggle("d-none", !refused());
      size(refused() ? "witness" : "party");
    });
  });

  function drawn(name) { return pads[name].sp.isEmpty() ? "" : pads[name].sp.toDataURL("image/png"); }

  submit.addEventListener("click", function () {
    var party = refused()
      ? { refused: true, refusal_reason: value("refusal-reason"), witness_name: value("witness-name"),
          witness_id: value("witness-id"), witness_signature: drawn("witness") }
      : { name: value("party-name"), role: value("party-role"), signature: drawn("party") };
    var missing = refused() ? !party.witness_signature : !party.signature;
    if (missing) {
      showErrors([refused() ? "请见证人在框内签字" : "请签字人在框内签字"]);
      return;
    }
    submit.disabled = true;
    fetch(app.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ party: party })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (answer.ok && answer.body.ok) {
        window.location.assign(answer.body.next);
        return;
      }
      showErrors(answer.body.errors || ["保存失败，请重试"]);
      submit.disabled = false;
    }).catch(function () {
      showErrors(["网络连接失败：重新签字须联网保存，请联网后重试"]);
      submit.disabled = false;
    });
  });
}());
