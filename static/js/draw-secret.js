/* 抽取秘密值: an official's DRAW-v1 secret is made, kept and read back in the official's
   own browser (ADR 0020).

   Commit: 32 random bytes from crypto.getRandomValues; the commitment is
   SHA-256(secret ‖ UTF-8(official id)) from crypto.subtle.digest, exactly as
   spotcheck/core/draw/commit.py computes it (docs/draw-spec.md §6.1); only the commitment
   is posted. The secret stays in localStorage under the task, the attempt and the
   official, is offered as a small JSON file and as a printable sheet with a QR code, and
   is removed once the reveal has been accepted.

   Reveal: filled in from localStorage, or read from the file or (where the browser has
   BarcodeDetector) from the sheet's QR code; checked against the published commitment
   before anything is posted.

   Without Web Crypto the page keeps the manual way (a commitment computed elsewhere, the
   secret typed in) and says so. */
(function () {
  "use strict";

  var PREFIX = "spotcheck.draw-secret.";
  var HEX64 = /^[0-9a-f]{64}$/;
  var subtle = window.crypto && window.crypto.subtle;
  var supported = !!(window.crypto && window.crypto.getRandomValues && subtle &&
                     window.TextEncoder && window.localStorage);

  // ------------------------------------------------------------------ the computation

  function toHex(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i += 1) { out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return out;
  }

  function fromHex(hex) {
    var bytes = new Uint8Array(hex.length / 2);
    for (var i = 0; i < bytes.length; i += 1) { bytes[i] = parseInt(hex.substr(i * 2, 2), 16); }
    return bytes;
  }

  /* 64 hex digits, spaces and case ignored; "" when it is not one. */
  function normalise(text) {
    var value = String(text || "").replace(/\s+/g, "").toLowerCase();
    return HEX64.test(value) ? value : "";
  }

  function newSecret() {
    var bytes = new Uint8Array(32);
    window.crypto.getRandomValues(bytes);
    return toHex(bytes);
  }

  /* hex(SHA-256(secret ‖ UTF-8(officialId))) for a 64-hex-digit secret. */
  function commitment(secretHex, officialId) {
    var secret = fromHex(secretHex);
    var id = new TextEncoder().encode(officialId);
    var data = new Uint8Array(secret.length + id.length);
    data.set(secret, 0);
    data.set(id, secret.length);
    return subtle.digest("SHA-256", data).then(function (digest) {
      return toHex(new Uint8Array(digest));
    });
  }

  /* The secret file (JSON written by fileText below) or a bare secret; throws in Chinese. */
  function parseSecretFile(text) {
    var bare = normalise(text);
    if (bare) { return { secret: bare }; }
    var data;
    try { data = JSON.parse(text); } catch (e) { data = null; }
    var secret = data && typeof data === "object" ? normalise(data["秘密值"]) : "";
    if (!secret) { throw new Error("这个文件里没有找到秘密值（应为本平台下载的秘密值文件）"); }
    return {
      secret: secret,
      task: data["任务编号"],
      attempt: data["第几次抽取"],
      official: data["官员"]
    };
  }

  function fileText(record) {
    return JSON.stringify({
      "说明": "“双随机、一公开”抽取的秘密值。抽取公告发布后，在本任务的抽取页面读取本文件公布；公布前请勿交给他人。",
      "任务编号": record.taskNumber,
      "第几次抽取": record.attempt,
      "官员": record.official,
      "姓名": record.name,
      "秘密值": record.secret,
      "承诺值": record.commitment
    }, null, 2) + "\n";
  }

  window.SpotcheckDrawSecret = {
    commitment: commitment,
    newSecret: newSecret,
    normalise: normalise,
    parseSecretFile: parseSecretFile,
    supported: supported
  };

  // ------------------------------------------------------------------ the browser's storage

  function load(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function forget(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept, nothing to remove */ }
  }

  /* Secrets of this task kept for other attempts are of no use any more: remove them. */
  function tidy() {
    var marker = document.getElementById("draw-secret-task");
    if (!marker || !window.localStorage) { return; }
    var mine = PREFIX + marker.dataset.task + ".";
    var live = marker.dataset.liveAttempt;
    var stale = [];
    try {
      for (var i = 0; i < window.localStorage.length; i += 1) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(mine) === 0 && key.slice(mine.length).split(".")[0] !== live) { stale.push(key); }
      }
    } catch (e) { return; }
    stale.forEach(forget);
  }

  // ------------------------------------------------------------------ the page

  var root = document.getElementById("draw-secret");
  tidy();
  if (!root) { return; }
  var info = {
    task: root.dataset.task,
    taskNumber: root.dataset.taskNumber,
    attempt: parseInt(root.dataset.attempt, 10),
    official: root.dataset.official,
    name: root.dataset.name,
    commitment: root.dataset.commitment
  };
  var KEY = PREFIX + info.task + "." + info.attempt + "." + info.official;

  function show(name, visible) {
    root.querySelectorAll('[data-secret-when="' + name + '"]').forEach(function (el) { el.hidden = !visible; });
  }

  function errorBox(form) { return form.querySelector("[data-secret-error]"); }

  function say(form, message) {
    var box = errorBox(form);
    box.textContent = message || "";
    box.hidden = !message;
    if (message) { box.scrollIntoView({ block: "center" }); }
  }

  if (root.dataset.revealed) { forget(KEY); }   // accepted: the secret is public now
  show("supported", supported);
  show("unsupported", !supported);

  // ---------------------------------------------------------------- commit

  var commitForm = document.getElementById("commit-form");
  if (commitForm && supported) {
    commitForm.querySelector("[data-secret-manual]").open = false;
    var sending = false;
    commitForm.addEventListener("submit", function (event) {
      var manual = commitForm.querySelector("[name=commitment]").value.trim() ||
                   commitForm.querySelector("[name=secret]").value.trim();
      if (manual || sending) { if (sending) { event.preventDefault(); } return; }
      event.preventDefault();
      sending = true;
      // a secret kept by an earlier try that did not reach the platform is used again
      var kept = load(KEY);
      var secret = kept && normalise(kept.secret) ? kept.secret : newSecret();
      commitment(secret, info.official).then(function (made) {
        var record = {
          task: info.task, taskNumber: info.taskNumber, attempt: info.attempt,
          official: info.official, name: info.name, secret: secret, commitment: made
        };
        try {
          window.localStorage.setItem(KEY, JSON.stringify(record));
        } catch (e) {
          sending = false;
          say(commitForm, "本浏览器不能保存秘密值（可能处于无痕模式或存储已满），未作出承诺。请改用手工方式。");
          return;
        }
        commitForm.querySelector("[name=commitment]").value = made;
        commitForm.submit();
      }, function () {
        sending = false;
        say(commitForm, "本浏览器未能算出承诺值，未作出承诺。请改用手工方式。");
      });
    });
  }

  // ---------------------------------------------------------------- keep: file, sheet, QR code

  var stored = load(KEY);
  var keeping = !!(stored && normalise(stored.secret) && stored.commitment === info.commitment);
  var keep = root.querySelector('[data-testid="secret-keep"]');
  if (keep && info.commitment) {
    show("stored", keeping);
    show("missing", !keeping);
  }
  if (keep && keeping) {
    keep.querySelector("[data-secret-value]").textContent = stored.secret;
    drawQr(keep.querySelector("[data-secret-qr]"), stored.secret);
    keep.querySelector("[data-secret-download]").addEventListener("click", function () {
      var blob = new Blob([fileText(stored)], { type: "application/json;charset=utf-8" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "秘密值-" + info.taskNumber + "-第" + info.attempt + "次抽取-" + info.official + ".json";
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    });
    keep.querySelector("[data-secret-print]").addEventListener("click", printSheet);
  }

  /* The QR code holds the secret alone, in capitals (the alphanumeric mode: a small code). */
  function drawQr(img, secret) {
    if (!img || typeof window.qrcode !== "function") { return; }
    var qr = window.qrcode(0, "M");
    qr.addData(secret.toUpperCase(), "Alphanumeric");
    qr.make();
    var cell = 5;
    var margin = cell * 4;
    img.src = qr.createDataURL(cell, margin);
    img.width = img.height = qr.getModuleCount() * cell + margin * 2;
    img.hidden = false;
  }

  function printSheet() {
    var area = document.getElementById("secret-print-area");
    if (area) { area.remove(); }
    area = document.createElement("div");
    area.id = "secret-print-area";
    area.appendChild(document.getElementById("secret-sheet").cloneNode(true));
    area.firstChild.removeAttribute("id");
    document.body.appendChild(area);
    document.documentElement.classList.add("print-secret-sheet");
    window.print();
  }

  window.addEventListener("afterprint", function () {
    document.documentElement.classList.remove("print-secret-sheet");
    var area = document.getElementById("secret-print-area");
    if (area) { area.remove(); }
  });

  // ---------------------------------------------------------------- reveal

  var revealForm = document.getElementById("reveal-form");
  if (!revealForm) { return; }
  var input = revealForm.querySelector("[name=secret]");
  var status = revealForm.querySelector("[data-secret-status]");

  function tell(message) { status.textContent = message; }

  /* Check a secret against the published commitment; resolve to true when it opens it. */
  function opens(secret) {
    return commitment(secret, info.official).then(function (made) { return made === info.commitment; });
  }

  var mismatch = "这个秘密值与您在第" + info.attempt + "次抽取中作出的承诺不符，未公布。" +
                 "请核对是否是本次抽取中您本人（" + info.official + "）的秘密值。";

  function take(secret, from) {
    return opens(secret).then(function (ok) {
      if (!ok) { say(revealForm, mismatch); tell(""); return; }
      input.value = secret;
      say(revealForm, "");
      tell("已" + from + "秘密值，与您的承诺值一致。请点击“公布”。");
    });
  }

  if (supported && keeping && !input.value) {
    input.value = stored.secret;
    tell("已从本浏览器自动填入您的秘密值，与您的承诺值一致。请点击“公布”。");
  }

  var fileInput = revealForm.querySelector("#secret-file");
  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    if (!file) { return; }
    file.text().then(function (text) {
      var found;
      try { found = parseSecretFile(text); } catch (e) { say(revealForm, e.message + "，未公布。"); return; }
      var other = [];
      if (found.task && found.task !== info.taskNumber) { other.push("任务“" + found.task + "”"); }
      if (found.attempt && Number(found.attempt) !== info.attempt) { other.push("第" + found.attempt + "次抽取"); }
      if (found.official && found.official !== info.official) { other.push(found.official); }
      if (other.length) {
        say(revealForm, "这个文件是" + other.join("、") + "的秘密值，不是您在本任务第" + info.attempt +
            "次抽取中（" + info.official + "）的秘密值，未填入，也未公布。");
        tell("");
        return;
      }
      if (!supported) { input.value = found.secret; tell("已从文件读取秘密值。请点击“公布”。"); return; }
      take(found.secret, "从文件读取");
    }, function () { say(revealForm, "未能读取这个文件，未公布。"); });
  });

  var canScan = "BarcodeDetector" in window && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  show("scan", canScan);
  show("noscan", !canScan);
  if (canScan) {
    revealForm.querySelector("[data-secret-scan]").addEventListener("click", scan);
  }

  function scan() {
    var video = revealForm.querySelector("[data-secret-video]");
    var detector;
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) {
      say(revealForm, "本浏览器不能识别二维码，请改用秘密值文件或手工输入。");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      tell("请把秘密值单上的二维码对准摄像头……");
      var stop = function () {
        stream.getTracks().forEach(function (track) { track.stop(); });
        video.hidden = true;
      };
      var look = function () {
        detector.detect(video).then(function (codes) {
          var secret = codes.length ? normalise(codes[0].rawValue) : "";
          if (!secret) { window.setTimeout(look, 300); return; }
          stop();
          if (supported) { take(secret, "从二维码读取"); } else { input.value = secret; }
        }, function () { window.setTimeout(look, 500); });
      };
      look();
    }, function () {
      say(revealForm, "未能打开摄像头（可能未允许使用或设备没有摄像头），请改用秘密值文件或手工输入。");
    });
  }

  var posting = false;
  revealForm.addEventListener("submit", function (event) {
    if (!supported || posting) { return; }
    event.preventDefault();
    var secret = normalise(input.value);
    if (!secret) { say(revealForm, "秘密值应为64位十六进制字符（0-9、a-f），未公布。"); return; }
    opens(secret).then(function (ok) {
      if (!ok) { say(revealForm, mismatch); return; }
      posting = true;
      input.value = secret;
      revealForm.submit();
    });
  });
})();
