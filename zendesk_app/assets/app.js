/* CPNI Guard ticket sidebar (ZAF v2). No external libraries; all calls go through the
 * Zendesk proxy with a per-request HS256 JWT signed with the secure setting app_secret.
 * The ticket.save hook is an aid for agents; the server-side rules stay the control. */
(function () {
  "use strict";

  var LOCKED = { locked: true, challenged: true, locked_out: true };
  var LOCKABLE = { open: true, verified: true, overridden: true };
  var STATE_TEXT = {
    open: "No CPNI detected on this ticket.",
    locked: "PIN required: this ticket touches CPNI.",
    challenged: "PIN required: waiting for the customer's PIN.",
    verified: "PIN verified.",
    overridden: "Lock overridden by a supervisor.",
    locked_out: "Account locked out after too many wrong PINs."
  };
  var SAVE_REFUSAL = "CPNI Guard: this ticket is locked until the customer's PIN is verified. " +
    "Public replies are blocked; you can still add an internal note.";

  var ctx = { ticketId: null, userId: null, subdomain: null, backend: null };
  var current = { locked: false, state: "open" };
  var client = window.ZAFClient ? window.ZAFClient.init() : null;

  function $(id) { return document.getElementById(id); }

  function show(text, ok) {
    var el = $("message");
    el.textContent = text;
    el.className = ok ? "message ok" : "message";
    el.hidden = !text;
  }

  function api(path, body) {
    body = body || {};
    body.ticket_id = String(ctx.ticketId);
    return client.request({
      url: ctx.backend + "/zendesk/sidebar/" + path,
      type: "POST",
      contentType: "application/json",
      data: JSON.stringify(body),
      dataType: "json",
      cors: false,
      secure: true,
      headers: { Authorization: "Bearer {{jwt.token}}" },
      jwt: {
        algorithm: "HS256",
        secret_key: "{{setting.app_secret}}",
        expiry: 60,
        claims: { iss: "https://" + ctx.subdomain + ".zendesk.com", aud: ctx.backend, sub: String(ctx.userId) }
      }
    });
  }

  function errorText(err) {
    var data = err && (err.responseJSON || (err.responseText && safeJson(err.responseText)));
    if (data && data.error) { return data.error; }
    return "The CPNI service is unavailable. The ticket stays locked; try again.";
  }

  function safeJson(text) { try { return JSON.parse(text); } catch (e) { return null; } }

  function fmt(iso) { return iso ? new Date(iso).toLocaleString() : ""; }

  function render(data) {
    var c = data.conversation;
    current = c;
    var banner = $("banner");
    var text = STATE_TEXT[c.state] || c.state;
    if (c.state === "verified") { text += " By " + c.verified_by + " (" + c.verified_method + ") until " + fmt(c.until) + "."; }
    if (c.state === "overridden") { text += " Until " + fmt(c.until) + "."; }
    if (c.state === "locked_out") { text += c.until ? " Until " + fmt(c.until) + "." : " A supervisor must unlock it."; }
    banner.textContent = text;
    banner.className = "banner " + (LOCKED[c.state] ? (c.state === "locked_out" ? "locked_out" : "locked") : (c.state === "open" ? "open" : "verified"));
    banner.setAttribute("data-state", c.state);

    $("why").hidden = !(c.categories && c.categories.length);
    $("categories").textContent = (c.categories || []).join(", ");
    var reasons = $("reasons");
    reasons.textContent = "";
    (c.reasons || []).forEach(function (r) { var li = document.createElement("li"); li.textContent = r; reasons.appendChild(li); });

    $("account").textContent = c.account_number || "Not identified: choose the account below.";
    $("account-form").hidden = !!c.account_number;
    var choices = $("account-choices");
    choices.textContent = "";
    (data.account_choices || []).forEach(function (a) { var o = document.createElement("option"); o.value = a; choices.appendChild(o); });

    $("pin-box").hidden = !(LOCKED[c.state] && c.state !== "locked_out" && c.account_number);
    $("override-box").hidden = !(data.supervisor && LOCKED[c.state]);
    $("lock-box").hidden = !LOCKABLE[c.state];

    if (data.history) {
      var list = $("history");
      list.textContent = "";
      data.history.forEach(function (h) {
        var li = document.createElement("li");
        li.textContent = fmt(h.at) + " · " + h.action.replace(/_/g, " ") + (h.method ? " · " + h.method : "") + (h.outcome ? " · " + h.outcome : "") + " · " + h.actor;
        list.appendChild(li);
      });
    }
  }

  function refresh() {
    return api("state").then(render, function (err) { show(errorText(err)); });
  }

  function onPin(event) {
    event.preventDefault();
    var input = $("pin-input");
    var pin = input.value.trim();
    input.value = "";
    if (!/^[0-9]{4,12}$/.test(pin)) { show("Enter the PIN as 4 to 12 digits."); return; }
    api("pin", { pin: pin }).then(function (res) {
      if (res.result === "verified") { show("PIN verified.", true); }
      else if (res.result === "rejected") { show("Wrong PIN. Attempts left: " + res.attempts_left + "."); }
      else if (res.result === "locked_out") { show("Too many wrong PINs: the account is locked" + (res.locked_until ? " until " + fmt(res.locked_until) : "") + ". Do not share CPNI."); }
      else if (res.result === "no_pin_on_file") { show("This account has no PIN on file. Enrol one before sharing CPNI."); }
      else if (res.result === "new_pin_required") { show(res.message); }
      else { show("The PIN could not be checked."); }
      return refresh();
    }, function (err) { show(errorText(err)); });
  }

  function onAccount(event) {
    event.preventDefault();
    api("account", { account_number: $("account-input").value.trim() }).then(function () { show("Account linked.", true); return refresh(); }, function (err) { show(errorText(err)); });
  }

  function onLink() {
    api("link", { mode: "link" }).then(function () { show("Secure link sent to the customer.", true); return refresh(); }, function (err) { show(errorText(err)); });
  }

  function onLock() {
    api("lock").then(function (res) { show("Ticket locked: public replies are blocked until the PIN is verified.", true); render(res); }, function (err) { show(errorText(err)); });
  }

  function onOverride(event) {
    event.preventDefault();
    api("override", { reason: $("override-reason").value.trim() }).then(function () { $("override-reason").value = ""; show("Lock overridden.", true); return refresh(); }, function (err) { show(errorText(err)); });
  }

  function onSave() {
    if (!LOCKED[current.state]) { return true; }
    return client.get(["comment.type", "comment.text"]).then(function (data) {
      var isPublic = data["comment.type"] === "publicReply";
      var hasText = !!(data["comment.text"] || "").trim();
      if (isPublic && hasText) { show(SAVE_REFUSAL); return Promise.reject(SAVE_REFUSAL); }
      return true;
    });
  }

  if (!client) {
    $("banner").textContent = "Open this app inside Zendesk.";
    return;
  }
  client.invoke("resize", { width: "100%", height: "460px" });
  Promise.all([client.get("ticket.id"), client.get("currentUser"), client.context(), client.metadata()]).then(function (r) {
    ctx.ticketId = r[0]["ticket.id"];
    ctx.userId = r[1].currentUser.id;
    ctx.subdomain = r[2].account.subdomain;
    ctx.backend = String(r[3].settings.backend_url || "").replace(/\/+$/, "");
    $("pin-form").addEventListener("submit", onPin);
    $("account-form").addEventListener("submit", onAccount);
    $("send-link").addEventListener("click", onLink);
    $("override-form").addEventListener("submit", onOverride);
    $("lock-ticket").addEventListener("click", onLock);
    client.on("ticket.save", onSave);
    client.on("ticket.updated", refresh);
    return refresh();
  });
})();
