// SPARQL query page: YASGUI (vendored, served by this service) with our published example
// queries and our prefixes. Queries go to /ui/sparql, which runs them as the signed-in principal
// (its HttpOnly cookie goes along; the page never sees the token) and negotiates like /sparql.
// Nothing is fetched from elsewhere: no LOV class/property completion, no public endpoint list.
// Without JavaScript the plain form below the editor posts the query and the page shows the
// answer.
(function () {
  "use strict";
  // absolute: YASGUI builds URL objects from it (a relative one throws on error answers)
  var ENDPOINT = window.location.origin + "/ui/sparql";
  var host = document.getElementById("yasgui");
  var form = document.getElementById("sparql-form");
  var picker = document.getElementById("example");
  var description = document.getElementById("example-description");
  var examples = JSON.parse(document.getElementById("examples-data").textContent || "[]");
  var prefixes = JSON.parse(document.getElementById("prefixes-data").textContent || "{}");
  if (!window.Yasgui || !host) { return; }

  var Yasqe = window.Yasgui.Yasqe;
  Yasqe.forkAutocompleter("prefixes", {
    name: "servicePrefixes",
    persistenceId: null,
    get: function () {
      return Promise.resolve(Object.keys(prefixes).sort().map(function (p) {
        return p + ": <" + prefixes[p] + ">";
      }));
    }
  }, false);

  // Only completers that need no internet (the defaults add LOV class/property look-ups).
  Yasqe.defaults.autocompleters = ["servicePrefixes", "variables"];
  var start = form.querySelector("textarea").value.trim();
  var yasgui = new window.Yasgui(host, {
    requestConfig: { endpoint: ENDPOINT, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: ENDPOINT }]; } },
    persistenceId: "dbp-sparql",
    yasqe: {
      autocompleters: ["servicePrefixes", "variables"],
      value: start || (examples[0] ? examples[0].text : "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    }
  });
  host.hidden = false;
  form.hidden = true;
  window.dbpYasgui = yasgui;  // for the browser tests and the curious

  picker.addEventListener("change", function () {
    var chosen = examples.filter(function (e) { return e.name === picker.value; })[0];
    if (!chosen) { description.textContent = ""; return; }
    description.textContent = chosen.description || "";
    // each example opens in a tab of its own (named by its title), so work in progress stays
    var tab = yasgui.addTab(true, {
      name: chosen.title,
      yasqe: { value: chosen.text },
      requestConfig: { endpoint: ENDPOINT, method: "POST" }
    });
    if (tab && tab.getYasqe && tab.getYasqe()) { tab.getYasqe().setValue(chosen.text); }
  });
})();
