/* Test double of the Zendesk Apps Framework SDK (the real one loads from Zendesk).
 * Settings come from the query string; client.request goes to the test harness's proxy,
 * which plays the Zendesk proxy: it substitutes the secure setting and signs the JWT. */
(function () {
  var params = new URLSearchParams(location.search);
  var values = {
    "ticket.id": Number(params.get("ticket")),
    "currentUser": { id: Number(params.get("user")), role: "agent" },
    "comment.type": "publicReply",
    "comment.text": ""
  };
  var handlers = {};
  var client = {
    get: function (paths) {
      var out = {};
      (Array.isArray(paths) ? paths : [paths]).forEach(function (k) { out[k] = values[k]; });
      return Promise.resolve(out);
    },
    context: function () { return Promise.resolve({ account: { subdomain: params.get("subdomain") }, location: "ticket_sidebar" }); },
    metadata: function () { return Promise.resolve({ settings: { backend_url: params.get("backend") } }); },
    invoke: function () { return Promise.resolve({}); },
    on: function (name, fn) { handlers[name] = fn; },
    request: function (options) {
      return fetch("/__zaf_proxy", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(options) })
        .then(function (r) {
          return r.text().then(function (t) {
            var j = null;
            try { j = JSON.parse(t); } catch (e) { j = null; }
            if (r.ok) { return j; }
            return Promise.reject({ status: r.status, responseJSON: j, responseText: t });
          });
        });
    }
  };
  window.__fakeZaf = {
    values: values,
    save: function () {
      var hook = handlers["ticket.save"];
      return Promise.resolve().then(function () { return hook ? hook() : true; })
        .then(function (v) { return v === false ? "cancelled" : "allowed"; }, function (e) { return "refused: " + e; });
    }
  };
  window.ZAFClient = { init: function () { return client; } };
})();
