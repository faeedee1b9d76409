/* Commune dropdowns: once a city is chosen, offer only that city's communes.
 * Progressive enhancement: without JavaScript every commune is offered, grouped by city, and
 * the server still rejects a commune of another city.
 *
 * Markup (rendered by the forms): <select data-city-field="city"
 *   data-city-communes='{"<city pk>": [<commune pk>, ...], ...}'> in the same form as the
 * city <select name="city">.
 */
(function () {
  "use strict";

  function setUp(communeSelect) {
    var form = communeSelect.form;
    var citySelect = form && form.elements.namedItem(communeSelect.dataset.cityField);
    if (!citySelect || citySelect.tagName !== "SELECT") return;
    var byCity;
    try {
      byCity = JSON.parse(communeSelect.dataset.cityCommunes);
    } catch (error) {
      return;
    }
    // Keep the full list once; each change rebuilds the options from it. (Hiding <option>s
    // with CSS does not work in every browser, so they are removed and put back instead.)
    var original = Array.prototype.map.call(communeSelect.children, function (node) {
      return node.cloneNode(true);
    });

    function allowedFor(city) {
      if (!city) return null; // no city chosen: every commune
      var ids = byCity[city] || [];
      return ids.map(String);
    }

    function rebuild() {
      var allowed = allowedFor(citySelect.value);
      var current = communeSelect.value;
      var keepCurrent = false;
      while (communeSelect.firstChild) communeSelect.removeChild(communeSelect.firstChild);
      original.forEach(function (node) {
        if (node.tagName === "OPTGROUP") {
          var group = node.cloneNode(false);
          Array.prototype.forEach.call(node.children, function (option) {
            if (allowed === null || allowed.indexOf(option.value) !== -1) {
              group.appendChild(option.cloneNode(true));
            }
          });
          if (group.children.length) communeSelect.appendChild(group);
        } else if (node.tagName === "OPTION") {
          // The empty choice ("---------", "Any commune") and any ungrouped commune.
          if (node.value === "" || allowed === null || allowed.indexOf(node.value) !== -1) {
            communeSelect.appendChild(node.cloneNode(true));
          }
        }
      });
      Array.prototype.forEach.call(communeSelect.options, function (option) {
        if (option.value === current) keepCurrent = true;
      });
      communeSelect.value = keepCurrent ? current : "";
    }

    citySelect.addEventListener("change", rebuild);
    rebuild();
  }

  Array.prototype.forEach.call(
    document.querySelectorAll("select[data-city-communes][data-city-field]"),
    setUp
  );
})();
