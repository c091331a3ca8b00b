/* The on-site record (现场检查记录) on the phone.
 *
 * Everything the inspector types is saved at once in localStorage (the draft survives a
 * lost network and a closed browser) and sent to the server when there is a connection.
 * Each submission carries an id generated here; the server ignores an id it has seen, so
 * sending twice is harmless.  The status line says what is only on the phone and what has
 * reached the server: offline, waiting to retry (and when), synced, refused (why), conflict.
 *
 * Two inspectors of one department may fill the same record: each item remembers the
 * version it was based on ("base") and whether it was changed here ("dirty"); only changed
 * items are sent, each with its base.  The server keeps a change based on an older version
 * as a conflict instead of applying it (docs/domain/entry-conflicts.md).
 */
(function () {
  "use strict";

  var stateEl = document.getElementById("field-state");
  if (!stateEl) { return; }
  var S = JSON.parse(stateEl.textContent);
  var KEY = "spotcheck.field." + S.user + "." + S.record;
  var statusEl = document.getElementById("sync-status");
  var errorsEl = document.getElementById("sync-errors");
  var ownIds = S.items.map(function (i) { return String(i.id); });
  var codes = {};
  S.rules.forEach(function (c) { codes[c.code] = c; });
  var pads = {};
  var sending = false;
  var retry = { n: 0, at: 0, timer: null }; // back-off of a submission the server did not take
  var conflictItems = {};
  S.items.forEach(function (i) { if (i.conflicted) { conflictItems[i.id] = true; } });
  var finished = false; // submitted: the page is leaving, nothing more is saved or sent

  // ------------------------------------------------------------------ utilities

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  // The platform's wall clock (Asia/Shanghai), whatever time zone the phone is set to: a
  // phone left on UTC would otherwise record 16:36 for a visit at 00:36 Beijing time.
  // Returns "YYYY-MM-DDTHH:MM:SS" from the phone's absolute clock read in that zone.
  // a moment's wall-clock time (HH:MM:SS) in the platform's zone, like platformNow
  function platformTime(ms) {
    try {
      return new Intl.DateTimeFormat("en-GB", {
        timeZone: S.time_zone || "Asia/Shanghai", hourCycle: "h23",
        hour: "2-digit", minute: "2-digit", second: "2-digit"
      }).format(new Date(ms));
    } catch (e) {
      return new Date(ms + 8 * 3600 * 1000).toISOString().slice(11, 19);
    }
  }

  function platformNow() {
    var zone = S.time_zone || "Asia/Shanghai";
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", {
        timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit"
      }).formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
      return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute + ":" + parts.second;
    } catch (e) {
      // no time-zone data on this browser: China has kept UTC+8 all year since 1991
      return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 19);
    }
  }

  function clock() { return platformNow().slice(11, 19); }

  function localInput(iso) { return iso ? iso.slice(0, 16) : ""; }

  function status(state, text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text;
  }

  function showErrors(list) {
    if (!list || !list.length) {
      errorsEl.classList.add("d-none");
      errorsEl.textContent = "";
      return;
    }
    errorsEl.classList.remove("d-none");
    errorsEl.textContent = "";
    var ul = document.createElement("ul");
    ul.className = "mb-0";
    list.forEach(function (m) { var li = document.createElement("li"); li.textContent = m; ul.appendChild(li); });
    errorsEl.appendChild(ul);
  }

  // ------------------------------------------------------------------ the draft

  function serverItem(i) {
    return { findings: i.findings, notes: i.notes, codes: i.codes.slice(), base: i.version, dirty: false, editRev: 0 };
  }

  function sameContent(a, b) {
    return (a.findings || "").trim() === (b.findings || "").trim() &&
      (a.notes || "").trim() === (b.notes || "").trim() &&
      a.codes.slice().sort().join(",") === b.codes.slice().sort().join(",");
  }

  function serverDraft() {
    var items = {};
    S.items.forEach(function (i) { items[i.id] = serverItem(i); });
    return {
      rev: 0, syncedRev: 0, server: S.updated, items: items, metaDirty: false,
      started_at: localInput(S.started_at), ended_at: localInput(S.ended_at),
      latitude: null, longitude: null, correction_reason: "",
      pads: {}, party: { mode: "signs" }, outbox: null, signOutbox: null, photos: []
    };
  }

  function loadDraft() {
    var stored = null;
    try { stored = JSON.parse(window.localStorage.getItem(KEY) || "null"); } catch (e) { stored = null; }
    if (!stored) { return serverDraft(); }
    var dirty = stored.rev > stored.syncedRev || stored.outbox || stored.signOutbox || (stored.photos && stored.photos.length);
    // a clean copy of an older server state is replaced by the server's
    if (!dirty && stored.server !== S.updated) { return serverDraft(); }
    // item by item: what was not changed here, or is in conflict on the server, is the server's
    var items = {};
    S.items.forEach(function (i) {
      var mine = stored.items && stored.items[i.id];
      if (mine && mine.base === undefined) {
        // a draft kept before items had versions: changed if it differs from the server
        mine.dirty = !sameContent(mine, i);
        mine.base = null;
        mine.editRev = mine.dirty ? stored.rev : 0;
      }
      if (S.frozen && mine && mine.dirty && mine.base !== i.version) {
        // a draft made before the record was signed or corrected: the signed text comes
        // first, the draft is offered beside it as a proposal, never sent as it is
        stored.stale = stored.stale || {};
        stored.stale[i.id] = mine;
        mine = null;
      }
      if (mine && mine.dirty && i.conflicted && !sameContent(mine, i)) {
        // the item is in conflict on the server: what this phone still holds for it is
        // kept beside it (never dropped) and may be taken up once the conflict is settled
        stored.stale = stored.stale || {};
        stored.stale[i.id] = mine;
      }
      items[i.id] = (mine && mine.dirty && !i.conflicted) ? mine : serverItem(i);
      if (mine && mine.dirty && i.conflicted) { items[i.id].editRev = 0; }
    });
    stored.items = items;
    if (stored.metaDirty === undefined) { stored.metaDirty = stored.rev > stored.syncedRev; }
    stored.server = S.updated;
    return stored;
  }

  function dirtyIds() {
    return ownIds.filter(function (id) { return draft.items[id] && draft.items[id].dirty && !conflictItems[id]; });
  }

  function hasChanges() { return dirtyIds().length > 0 || draft.metaDirty; }

  var draft = loadDraft();

  function persist() {
    if (finished) { return true; }
    try {
      window.localStorage.setItem(KEY, JSON.stringify(draft));
      return true;
    } catch (e) {
      status("error", "手机存储空间不足，草稿未能保存，请尽快联网同步");
      return false;
    }
  }

  function changed(itemId) {
    draft.rev += 1;
    if (itemId && draft.items[itemId]) {
      draft.items[itemId].dirty = true;
      draft.items[itemId].editRev = draft.rev;
    } else if (itemId === "meta") {
      draft.metaDirty = true;
      draft.metaRev = draft.rev;
    }
    if (persist()) {
      if (S.frozen) {
        status("local", "已保存在手机（更正未提交）");
      } else {
        status("local", "已保存在手机，等待同步到服务器");
      }
    }
    scheduleSync();
  }

  // a stale draft of a signed record, beside the current signed text
  function showStale() {
    Object.keys(draft.stale || {}).forEach(function (id) {
      var old = draft.stale[id];
      var box = document.querySelector('.field-item[data-item="' + id + '"] .card-body');
      if (!box || box.querySelector("[data-stale]")) { return; }
      var div = document.createElement("div");
      div.className = "alert alert-info";
      div.dataset.stale = id;
      div.setAttribute("data-testid", "stale-draft-" + id);
      var head = document.createElement("p");
      head.className = "fw-semibold mb-1";
      head.textContent = S.frozen
        ? "手机上有一份签字确认前的旧草稿（未提交）。下方输入框中是现在已签字确认的内容；如需更正，可采用旧草稿后修改："
        : "手机上还有一份本事项的内容，服务器尚未采用（该事项有录入冲突）。请先处理上方的冲突；之后如需要，可采用这份内容：";
      var text = document.createElement("div");
      text.textContent = old.findings || "（空）";
      var res = document.createElement("div");
      res.className = "small";
      res.textContent = "检查结果：" + (old.codes.map(function (c) { return codes[c] ? codes[c].label : c; }).join("；") || "（未选）");
      var use = document.createElement("button");
      use.type = "button";
      use.className = "btn btn-sm btn-outline-primary mt-2 me-2";
      use.setAttribute("data-testid", "use-stale-" + id);
      use.textContent = S.frozen ? "采用旧草稿作为更正内容" : "采用这份内容";
      use.addEventListener("click", function () {
        var d = draft.items[id];
        d.findings = old.findings; d.notes = old.notes; d.codes = old.codes.slice();
        delete draft.stale[id];
        div.remove();
        fillForm();
        itemErrors();
        changed(id);
      });
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "btn btn-sm btn-outline-secondary mt-2";
      drop.textContent = S.frozen ? "不采用，删除旧草稿" : "不采用，删除这份内容";
      drop.addEventListener("click", function () {
        if (!window.confirm("删除手机上的这份旧草稿？")) { return; }
        delete draft.stale[id];
        div.remove();
        persist();
      });
      div.appendChild(head); div.appendChild(text); div.appendChild(res); div.appendChild(use); div.appendChild(drop);
      box.insertBefore(div, box.children[1] || null);
    });
  }

  // ------------------------------------------------------------------ result code rules (mirror of spotcheck/core/results.py)

  function ancestors(code) {
    var out = [];
    var p = codes[code] ? codes[code].parent : null;
    while (p) { out.push(p); p = codes[p] ? codes[p].parent : null; }
    return out;
  }

  function checkCodes(chosen, options) {
    var errors = [];
    if (!chosen.length) { return { errors: ["请选择检查结果"], empty: true }; }
    var full = {};
    chosen.forEach(function (c) {
      if (options.indexOf(c) < 0) { errors.push("检查结果“" + c + "”不是本事项的可选结果"); }
      full[c] = true;
      ancestors(c).forEach(function (a) { full[a] = true; });
    });
    var n = Object.keys(full).length;
    S.rules.forEach(function (c) {
      if (!full[c.code]) { return; }
      if (c.exclusive && n > 1) { errors.push("“" + c.label + "”不能与其他检查结果同时选择"); }
      else if (c.terminal && n > 1) { errors.push("“" + c.label + "”是主体状态类结果，只能单独选择"); }
      if (c.requires_child) {
        var has = S.rules.some(function (k) { return k.parent === c.code && full[k.code]; });
        if (!has) { errors.push("选择“" + c.label + "”时，须选择具体的问题类别"); }
      }
    });
    return { errors: errors, empty: false };
  }

  // an error's text goes next to its control, which is marked invalid while it shows
  function showError(box, text, control) {
    box.textContent = text;
    if (!control) { return; }
    if (text) { control.setAttribute("aria-invalid", "true"); } else { control.removeAttribute("aria-invalid"); }
  }

  function photoInput(itemId) {
    return document.querySelector('[data-photo-input="' + itemId + '"]');
  }

  function itemErrors() {
    var all = [];
    S.items.forEach(function (i) {
      var d = draft.items[i.id];
      var box = document.querySelector('[data-result-error="' + i.id + '"]');
      var res = d.codes.length ? checkCodes(d.codes, i.options) : { errors: [] };
      if (box) { showError(box, res.errors.join("；"), box.closest("fieldset")); }
      all = all.concat(res.errors);
    });
    return all;
  }

  // ------------------------------------------------------------------ form ⇄ draft

  function fillForm() {
    ownIds.forEach(function (id) {
      var d = draft.items[id];
      if (!d) { return; }
      var f = document.getElementById("findings-" + id);
      var n = document.getElementById("notes-" + id);
      if (f) { f.value = d.findings; }
      if (n) { n.value = d.notes; }
      document.querySelectorAll('input[data-item="' + id + '"][data-code]').forEach(function (box) {
        box.checked = d.codes.indexOf(box.dataset.code) >= 0;
      });
    });
    document.getElementById("started-at").value = draft.started_at || "";
    document.getElementById("ended-at").value = draft.ended_at || "";
    var reason = document.getElementById("correction-reason");
    if (reason) { reason.value = draft.correction_reason || ""; }
    if (draft.latitude !== null && draft.latitude !== undefined) {
      document.getElementById("location-text").textContent = draft.latitude + ", " + draft.longitude;
    }
    Object.keys(draft.party || {}).forEach(function (k) {
      var el = document.querySelector('[data-sign="' + k + '"]');
      if (el) { el.value = draft.party[k]; }
    });
    var refuses = document.getElementById("party-refuses");
    if (refuses) { refuses.checked = draft.party.mode === "refuses"; partyMode(); }
  }

  function readCodes(id, clicked) {
    var boxes = document.querySelectorAll('input[data-item="' + id + '"][data-code]');
    if (clicked && clicked.checked) {
      var code = clicked.dataset.code;
      var c = codes[code];
      var keep = {};
      keep[code] = true;
      ancestors(code).forEach(function (a) { keep[a] = true; });
      boxes.forEach(function (b) {
        var other = codes[b.dataset.code];
        if (b === clicked || !other) { return; }
        // 未发现问题 and the status outcomes stand alone
        if (c.exclusive || c.terminal || other.exclusive || other.terminal) { b.checked = false; }
        if (keep[b.dataset.code]) { b.checked = true; }
      });
    } else if (clicked) {
      // unticking a parent unticks its sub-reasons
      boxes.forEach(function (b) {
        if (ancestors(b.dataset.code).indexOf(clicked.dataset.code) >= 0) { b.checked = false; }
      });
    }
    var out = [];
    boxes.forEach(function (b) { if (b.checked) { out.push(b.dataset.code); } });
    return out;
  }

  document.addEventListener("input", function (ev) {
    var t = ev.target;
    if (t.dataset.item && t.dataset.field && draft.items[t.dataset.item]) {
      draft.items[t.dataset.item][t.dataset.field] = t.value;
      changed(t.dataset.item);
    } else if (t.dataset.field === "started_at" || t.dataset.field === "ended_at") {
      draft[t.dataset.field] = t.value;
      changed("meta");
    } else if (t.dataset.field === "correction_reason") {
      draft[t.dataset.field] = t.value;
      changed();
    } else if (t.dataset.sign) {
      draft.party[t.dataset.sign] = t.value;
      changed();
    }
  });

  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t.dataset.code && t.dataset.item && draft.items[t.dataset.item]) {
      draft.items[t.dataset.item].codes = readCodes(t.dataset.item, t);
      itemErrors();
      changed(t.dataset.item);
    } else if (t.name === "party-mode") {
      draft.party.mode = t.value;
      partyMode();
      changed();
    } else if (t.dataset.photoInput) {
      addPhoto(t.dataset.photoInput, t.files && t.files[0]);
      t.value = "";
    } else if (t.dataset.sign) {
      draft.party[t.dataset.sign] = t.value;
      changed();
    }
  });

  document.querySelectorAll("[data-now]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var input = document.getElementById(btn.dataset.now);
      input.value = platformNow().slice(0, 16);
      draft[input.dataset.field] = input.value;
      changed("meta");
    });
  });

  var locate = document.getElementById("locate");
  if (locate) {
    locate.addEventListener("click", function () {
      var text = document.getElementById("location-text");
      if (!navigator.geolocation) { text.textContent = "此设备不支持定位"; return; }
      text.textContent = "正在定位…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        draft.latitude = pos.coords.latitude.toFixed(6);
        draft.longitude = pos.coords.longitude.toFixed(6);
        text.textContent = draft.latitude + ", " + draft.longitude;
        changed("meta");
      }, function () { text.textContent = "未获得定位授权，未记录位置"; }, { timeout: 15000 });
    });
  }

  // ------------------------------------------------------------------ sending

  // only the items changed on this phone, each with the version it was based on
  function entriesPayload(id) {
    var meta = draft.metaDirty;
    return {
      submission_id: id,
      items: dirtyIds().map(function (key) {
        var d = draft.items[key];
        return { id: Number(key), version: d.base, findings: d.findings, notes: d.notes, codes: d.codes };
      }),
      started_at: meta ? (draft.started_at || null) : null,
      ended_at: meta ? (draft.ended_at || null) : null,
      latitude: meta ? draft.latitude : null,
      longitude: meta ? draft.longitude : null,
      correction_reason: S.frozen ? (draft.correction_reason || "") : ""
    };
  }

  function newOutbox() {
    var revs = {};
    dirtyIds().forEach(function (key) { revs[key] = draft.items[key].editRev; });
    var id = uuid();
    draft.outbox = { id: id, rev: draft.rev, revs: revs, metaRev: draft.metaRev || 0, payload: entriesPayload(id) };
    persist();
  }

  // the server's answer item by item: the new base, and which items it kept as conflicts
  function settle(outbox, data) {
    (data.items || []).forEach(function (res) {
      var d = draft.items[res.item];
      if (!d) { return; }
      if (res.result === "conflict") {
        conflictItems[res.item] = true;
        // what was sent is kept on the server beside the item; anything typed after it
        // stays on the phone and is offered again once the conflict is settled
        d.dirty = !!(outbox.revs && d.editRev > (outbox.revs[res.item] || 0));
        lockItem(res.item);
        return;
      }
      d.base = res.version;
      if (outbox.revs && d.editRev <= (outbox.revs[res.item] || 0)) { d.dirty = false; }
    });
    if (draft.metaDirty && (draft.metaRev || 0) <= (outbox.metaRev || 0)) { draft.metaDirty = false; }
  }

  function lockItem(id) {
    var box = document.querySelector('.field-item[data-item="' + id + '"]');
    if (!box) { return; }
    // the item's own inputs only: the conflict panel's forms stay usable
    box.querySelectorAll('[data-item="' + id + '"], [data-photo-input]').forEach(function (el) { el.disabled = true; });
  }

  function showConflict(data) {
    showErrors(data.errors || ["录入冲突"]);
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "btn btn-warning btn-sm mt-2";
    btn.dataset.testid = "show-conflicts";
    btn.setAttribute("data-testid", "show-conflicts");
    btn.textContent = "查看两份内容并处理";
    btn.addEventListener("click", function () { window.location.reload(); });
    errorsEl.appendChild(btn);
    status("conflict", "录入冲突：您的内容未覆盖同事的录入，已保存为冲突，请选择保留哪一份或合并");
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body)
    }).then(function (res) {
      if (res.redirected && res.url.indexOf("/accounts/login") >= 0) {
        return { ok: false, retry: true, errors: ["登录已过期，请重新登录；记录仍保存在手机上，登录后自动同步"] };
      }
      return res.json().catch(function () {
        // not an answer of ours (a proxy, a server error): nothing was applied, send again later
        return { ok: false, retry: true, errors: ["服务器暂时无法接收（" + res.status + "），记录仍保存在手机上，稍后自动重试"] };
      }).then(function (data) {
        data.status = res.status;
        // the site's error answers (a refused request, an expired page) say why in "detail"
        if (!data.errors && data.detail) { data.errors = [data.detail]; }
        if (res.status >= 500) { data.retry = true; }
        return data;
      });
    });
  }

  var timer = null;
  function scheduleSync() {
    if (S.frozen) { return; }
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(flush, 1200);
  }

  function offline() {
    var what = draft.signOutbox ? "离线：记录和签字已保存在手机，联网后自动提交" : "离线：已保存在手机，联网后自动同步";
    status("offline", what);
  }

  // the server did not take the submission (no answer, a server error, login expired): try
  // again later, 5 s, 10 s, 20 s … up to 5 minutes, and say when
  function waitRetry(errors) {
    if (!navigator.onLine) { offline(); return; }
    retry.n += 1;
    var delay = Math.min(5000 * Math.pow(2, retry.n - 1), 300000);
    retry.at = Date.now() + delay;
    if (retry.timer) { window.clearTimeout(retry.timer); }
    retry.timer = window.setTimeout(function () { retry.at = 0; flush(); }, delay);
    var hhmmss = platformTime(retry.at);
    if (errors) { showErrors(errors); }
    status("retry", "已保存在手机；服务器暂未接收，将于 " + hhmmss + " 自动重试（第" + retry.n + "次）");
  }

  function retried() {
    retry.n = 0;
    retry.at = 0;
    if (retry.timer) { window.clearTimeout(retry.timer); retry.timer = null; }
  }

  function sendEntries() {
    if (!draft.outbox) {
      if (!hasChanges()) { return Promise.resolve(true); }
      // the server refused exactly this content: wait for the inspector to change it
      if (draft.rev === draft.rejectedRev) { return Promise.resolve(false); }
      var errors = itemErrors();
      if (errors.length) {
        status("local", "已保存在手机；检查结果未完善，暂未同步");
        return Promise.resolve(false);
      }
      newOutbox();
    }
    status("saving", "已保存在手机，正在同步到服务器…");
    return post(S.sync_url, draft.outbox.payload).then(function (data) {
      var outbox = draft.outbox;
      if (data.retry) {
        waitRetry(data.errors);
        return false;
      }
      retried();
      draft.outbox = null;
      if (data.ok || data.conflict) {
        settle(outbox, data);
        draft.syncedRev = Math.max(draft.syncedRev, outbox.rev);
        persist();
        if (data.conflict) { showConflict(data); return false; }
        showErrors([]);
        if (hasChanges()) { return sendEntries(); }
        status("synced", "已同步到服务器 " + data.saved_at);
        return true;
      }
      draft.rejectedRev = outbox.rev;
      persist();
      showErrors(data.errors);
      status("refused", "服务器未接收：" + (data.errors || []).join("；") + "（内容仍保存在手机，请按提示修改）");
      return false;
    });
  }

  function sendSignature() {
    if (!draft.signOutbox) { return Promise.resolve(true); }
    status("saving", "正在提交签字确认…");
    return post(S.sign_url, draft.signOutbox).then(function (data) {
      if (data.retry) {
        waitRetry(data.errors);
        return false;
      }
      retried();
      if (data.ok) {
        finished = true;
        window.localStorage.removeItem(KEY);
        status("synced", "已提交到服务器：" + data.state_label);
        window.location.assign(data.next);
        return true;
      }
      draft.signOutbox = null;
      persist();
      var again = document.getElementById("submit-record");
      if (again) { again.disabled = false; }
      showErrors(data.errors);
      status("refused", "签字确认未被接收：" + (data.errors || []).join("；") + "（记录仍保存在手机，请按提示修改后重新提交）");
      return false;
    });
  }

  function flush(force) {
    if (sending || finished) { return; }
    if (!navigator.onLine) { offline(); return; }
    if (force !== true && retry.at > Date.now()) { return; } // waiting to retry: the status says when
    var hasWork = (!S.frozen && draft.outbox) || draft.signOutbox || draft.photos.length ||
      (!S.frozen && hasChanges() && draft.rev !== draft.rejectedRev);
    if (!hasWork) { return; }
    sending = true;
    var chain = S.frozen ? Promise.resolve(true) : sendEntries();
    chain.then(function (ok) { return uploadPhotos().then(function () { return ok; }); })
      .then(function (ok) { return ok ? sendSignature() : false; })
      .catch(function () { waitRetry(null); })
      .then(function () { sending = false; });
  }

  window.addEventListener("online", function () { retried(); flush(true); });
  window.addEventListener("offline", offline);
  window.setInterval(flush, 10000);
  ownIds.forEach(function (id) { if (conflictItems[id]) { lockItem(id); } });

  // ------------------------------------------------------------------ corrections

  var correctBtn = document.getElementById("submit-correction");
  if (correctBtn) {
    correctBtn.addEventListener("click", function () {
      if (!(draft.correction_reason || "").trim()) {
        showErrors(["请填写更正理由"]);
        return;
      }
      var errors = itemErrors();
      if (errors.length) { showErrors(errors); return; }
      if (!draft.outbox) {
        if (!dirtyIds().length) { showErrors(["没有修改任何检查事项，无需更正"]); return; }
        newOutbox();
      }
      if (!navigator.onLine) { status("offline", "离线：更正已保存在手机，联网后点击“提交更正”"); return; }
      status("saving", "正在提交更正…");
      post(S.sync_url, draft.outbox.payload).then(function (data) {
        if (data.retry) { showErrors(data.errors); status("retry", "更正已保存在手机；服务器暂未接收，请稍后再点击“提交更正”"); return; }
        var outbox = draft.outbox;
        draft.outbox = null;
        if (data.conflict) {
          settle(outbox, data);
          persist();
          showConflict(data);
          return;
        }
        if (data.ok) {
          finished = true;
          window.localStorage.removeItem(KEY);
          window.location.assign(S.done_url);
          return;
        }
        persist();
        showErrors(data.errors);
        status("refused", "更正未被接收：" + (data.errors || []).join("；") + "（内容仍保存在手机）");
      }).catch(function () {
        persist();
        if (navigator.onLine) { status("retry", "更正已保存在手机；服务器暂时无法连接，请稍后再点击“提交更正”"); }
        else { status("offline", "离线：更正已保存在手机，联网后点击“提交更正”"); }
      });
    });
  }

  // ------------------------------------------------------------------ photos (resized here, checked again on the server)

  function thumb(id, src, caption, photoId) {
    var box = document.querySelector('[data-photos="' + id + '"]');
    if (!box) { return null; }
    var fig = document.createElement("figure");
    fig.className = "field-thumb";
    if (photoId) { fig.dataset.pending = photoId; }
    var img = document.createElement("img");
    img.src = src;
    img.alt = "现场照片";
    var cap = document.createElement("figcaption");
    cap.textContent = caption;
    fig.appendChild(img);
    fig.appendChild(cap);
    box.appendChild(fig);
    return fig;
  }

  function addPhoto(itemId, file) {
    var err = document.querySelector('[data-photo-error="' + itemId + '"]');
    showError(err, "", photoInput(itemId));
    if (!file) { return; }
    if (!/^image\/(jpeg|png|webp|heic|heif)$/.test(file.type)) {
      showError(err, "只能上传照片（JPEG、PNG 或 WebP）", photoInput(itemId));
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      var img = new Image();
      img.onload = function () {
        var max = 1600;
        var scale = Math.min(1, max / Math.max(img.width, img.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.width * scale);
        canvas.height = Math.round(img.height * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        var data = canvas.toDataURL("image/jpeg", 0.85);
        var entry = { id: uuid(), item: itemId, data: data };
        draft.photos.push(entry);
        if (!persist()) { draft.photos.pop(); err.textContent = "手机存储空间不足，照片未保存"; return; }
        thumb(itemId, data, "待上传", entry.id);
        status("local", "照片已保存在手机，等待上传");
        flush();
      };
      img.onerror = function () { err.textContent = "无法读取这张照片，请重新拍摄"; };
      img.src = reader.result;
    };
    reader.readAsDataURL(file);
  }

  function toBlob(dataUrl) {
    var parts = dataUrl.split(",");
    var bin = window.atob(parts[1]);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i += 1) { bytes[i] = bin.charCodeAt(i); }
    return new Blob([bytes], { type: "image/jpeg" });
  }

  function uploadPhotos() {
    if (!draft.photos.length) { return Promise.resolve(); }
    var entry = draft.photos[0];
    var form = new FormData();
    form.append("item", entry.item);
    form.append("client_id", entry.id);
    form.append("photo", toBlob(entry.data), entry.id + ".jpg");
    return fetch(S.photo_url, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf() }, body: form
    }).then(function (res) { return res.json(); }).then(function (data) {
      draft.photos.shift();
      persist();
      var fig = document.querySelector('[data-pending="' + entry.id + '"]');
      if (data.ok) {
        if (fig) {
          var cap = fig.querySelector("figcaption");
          cap.textContent = "已上传 ";
          if (data.delete_url) {
            var del = document.createElement("button");
            del.type = "button";
            del.className = "btn btn-link btn-sm p-0 text-danger";
            del.dataset.photoDelete = data.delete_url;
            del.textContent = "删除";
            cap.appendChild(del);
          }
          fig.removeAttribute("data-pending");
        }
      } else {
        if (fig) { fig.remove(); }
        var err = document.querySelector('[data-photo-error="' + entry.item + '"]');
        if (err) { showError(err, (data.errors || []).join("；"), photoInput(entry.item)); }
      }
      return uploadPhotos();
    });
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("[data-photo-delete]") : null;
    if (!btn) { return; }
    if (!window.confirm("删除这张照片？")) { return; }
    post(btn.dataset.photoDelete, {}).then(function (data) {
      if (data.ok) { btn.closest("figure").remove(); return; }
      showErrors(data.errors);
    }).catch(function () { showErrors(["没有网络，联网后再删除照片"]); });
  });

  // ------------------------------------------------------------------ signatures

  function partyMode() {
    var refuses = document.getElementById("party-refuses");
    if (!refuses) { return; }
    document.getElementById("party-sign-block").classList.toggle("d-none", refuses.checked);
    document.getElementById("party-refuse-block").classList.toggle("d-none", !refuses.checked);
    Object.keys(pads).forEach(function (k) { sizePad(k); });
  }

  function sizePad(name) {
    var pad = pads[name];
    var canvas = pad.canvas;
    if (!canvas.offsetWidth) { return; }
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.sp.clear();
    if (draft.pads[name]) {
      pad.sp.fromDataURL(draft.pads[name], { ratio: ratio, width: canvas.offsetWidth, height: canvas.offsetHeight });
    }
  }

  if (window.SignaturePad) {
    document.querySelectorAll("[data-pad]").forEach(function (box) {
      var name = box.dataset.pad;
      var canvas = box.querySelector("canvas");
      var sp = new window.SignaturePad(canvas, { minWidth: 1, maxWidth: 2.5, penColor: "#111" });
      pads[name] = { sp: sp, canvas: canvas, label: box.dataset.label };
      sp.addEventListener("endStroke", function () {
        draft.pads[name] = sp.toDataURL("image/png");
        changed();
      });
      sizePad(name);
    });
    document.querySelectorAll("[data-pad-clear]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var name = btn.dataset.padClear;
        pads[name].sp.clear();
        delete draft.pads[name];
        changed();
      });
    });
    window.addEventListener("resize", function () { Object.keys(pads).forEach(sizePad); });
  }

  var submitBtn = document.getElementById("submit-record");
  if (submitBtn) {
    submitBtn.addEventListener("click", function () {
      var refused = draft.party.mode === "refuses";
      var errors = itemErrors();
      var needed = S.members.map(function (m) { return "member-" + m; });
      needed.push(refused ? "witness" : "party");
      needed.forEach(function (name) {
        if (!draft.pads[name] || (pads[name] && pads[name].sp.isEmpty())) {
          errors.push((pads[name] ? pads[name].label : "签名") + "为空，请在签字框内签字");
        }
      });
      if (errors.length) { showErrors(errors); return; }
      showErrors([]);
      var members = {};
      S.members.forEach(function (m) { members[m] = draft.pads["member-" + m]; });
      draft.signOutbox = {
        submission_id: uuid(),
        party: {
          refused: refused,
          name: draft.party.name === undefined ? document.getElementById("party-name").value : draft.party.name,
          role: draft.party.role || document.getElementById("party-role").value,
          signature: refused ? "" : draft.pads.party,
          refusal_reason: refused ? (draft.party.refusal_reason || "") : "",
          witness_name: refused ? (draft.party.witness_name || "") : "",
          witness_id: refused ? (draft.party.witness_id || "") : "",
          witness_signature: refused ? draft.pads.witness : ""
        },
        members: members
      };
      persist();
      submitBtn.disabled = true; // a second tap must not sign twice
      if (!navigator.onLine) { offline(); return; }
      flush();
    });
  }

  // settling a conflict is a decision: ask before sending it
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button[data-confirm]") : null;
    if (!btn) { return; }
    if (!window.confirm(btn.dataset.confirm)) { ev.preventDefault(); return; }
    // asked here already: the server asks only when the page has no script
    if (btn.form && !btn.form.querySelector('input[name="confirmed"]')) {
      var ok = document.createElement("input");
      ok.type = "hidden"; ok.name = "confirmed"; ok.value = "1";
      btn.form.appendChild(ok);
    }
  });

  // ------------------------------------------------------------------ start

  fillForm();
  itemErrors();
  showStale();
  if (S.state === "approved") {
    document.querySelectorAll("#field-app textarea, #field-app input, #field-app select, #field-app button").forEach(function (el) { el.disabled = true; });
  }
  if (S.frozen && Object.keys(draft.stale || {}).length) {
    status("local", "手机上有签字确认前的旧草稿，未提交：请在下方查看，决定是否作为更正内容");
  } else if (Object.keys(conflictItems).length) {
    status("conflict", "有录入冲突尚未处理：请在下方查看两份内容并选择");
    if (draft.outbox || draft.signOutbox || draft.photos.length || hasChanges()) { flush(); }
  } else if (draft.outbox || draft.signOutbox || draft.photos.length || hasChanges()) {
    status("local", "已保存在手机，等待同步到服务器");
    draft.photos.forEach(function (p) { thumb(p.item, p.data, "待上传", p.id); });
    flush();
  } else {
    status("synced", "已同步到服务器");
  }
}());
