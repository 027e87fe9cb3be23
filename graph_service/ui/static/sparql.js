// SPARQL query page: example picker, Ctrl+Enter, and running the query through /ui/sparql
// (the signed-in principal's HttpOnly cookie goes along; the page never sees the token).
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var editor = document.getElementById("query");
  var picker = document.getElementById("example");
  var description = document.getElementById("example-description");
  var status = document.getElementById("query-status");
  var results = document.getElementById("query-results");
  var run = document.getElementById("run");
  var examples = JSON.parse(document.getElementById("examples-data").textContent || "[]");
  var MAX_ROWS = 1000;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }
  function say(message, kind) {
    status.innerHTML = "";
    if (message) {
      var p = el("p", message, "notice " + (kind || "info"));
      if (kind === "error") { p.setAttribute("role", "alert"); }
      status.appendChild(p);
    }
  }
  // IRIs are shown with the query's own PREFIX declarations (dbp:Battery instead of the IRI).
  function prefixes(query) {
    var found = [];
    var pattern = /PREFIX\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>/gi;
    var match;
    while ((match = pattern.exec(query)) !== null) { found.push([match[1] || "", match[2]]); }
    return found.sort(function (a, b) { return b[1].length - a[1].length; });
  }
  function termText(term, known) {
    if (!term) { return ""; }
    if (term.type === "uri") {
      for (var i = 0; i < known.length; i += 1) {
        var ns = known[i][1];
        if (ns && term.value.indexOf(ns) === 0 && /^[\w.-]+$/.test(term.value.slice(ns.length))) {
          return known[i][0] + ":" + term.value.slice(ns.length);
        }
      }
      return term.value;
    }
    if (term.type === "literal" && term["xml:lang"]) { return term.value + " @" + term["xml:lang"]; }
    return term.value;
  }
  function table(data, query) {
    var known = prefixes(query);
    var vars = data.head && data.head.vars ? data.head.vars : [];
    var rows = data.results && data.results.bindings ? data.results.bindings : [];
    var count = el("p", rows.length + (rows.length === 1 ? " row" : " rows") +
      (rows.length > MAX_ROWS ? " (first " + MAX_ROWS + " shown)" : ""), "muted");
    count.id = "result-count";
    var wrap = el("div", null, "table-wrap");
    var tbl = el("table", null, "results compact");
    tbl.id = "results-table";
    var head = tbl.createTHead().insertRow();
    vars.forEach(function (v) {
      var th = el("th", "?" + v);
      th.scope = "col";
      head.appendChild(th);
    });
    var body = tbl.createTBody();
    rows.slice(0, MAX_ROWS).forEach(function (row) {
      var tr = body.insertRow();
      vars.forEach(function (v) { tr.insertCell().textContent = termText(row[v], known); });
    });
    wrap.appendChild(tbl);
    return [count, wrap];
  }
  function show(nodes) {
    results.innerHTML = "";
    nodes.forEach(function (n) { results.appendChild(n); });
  }

  picker.addEventListener("change", function () {
    var chosen = examples.filter(function (e) { return e.name === picker.value; })[0];
    if (!chosen) { description.textContent = ""; return; }
    editor.value = chosen.text;
    description.textContent = chosen.description || "";
  });
  editor.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!editor.value.trim()) { say("The query is empty.", "error"); return; }
    run.disabled = true;
    say("Running…");
    var started = Date.now();
    var sent = editor.value;
    fetch("/ui/sparql", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, application/n-triples;q=0.9"
      },
      body: new URLSearchParams({ query: sent })
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        return response.json().catch(function () { return {}; }).then(function (problem) {
          var where = problem.line ? " (line " + problem.line + ", column " + problem.column + ")" : "";
          throw new Error((problem.title || ("HTTP " + response.status)) + where + ": " +
            (problem.detail || response.statusText));
        });
      }
      if (type.indexOf("json") >= 0) {
        return response.json().then(function (data) {
          if (typeof data.boolean === "boolean") {
            show([el("p", "Answer: " + (data.boolean ? "yes" : "no"), "big-number")]);
          } else {
            show(table(data, sent));
          }
        });
      }
      return response.text().then(function (text) { show([el("pre", text, "code")]); });
    }).then(function () {
      say("Done in " + ((Date.now() - started) / 1000).toFixed(1) + " s.", "success");
    }).catch(function (error) {
      say(error.message, "error");
    }).finally(function () {
      run.disabled = false;
    });
  });
})();
