/* Event page booking panel: update the total and the Cook4Chance split for the chosen seats.
 * Progressive enhancement: without JavaScript the panel shows the split for one seat. */
(function () {
  "use strict";
  var form = document.querySelector("[data-booking-form]");
  if (!form || !window.Intl) return;
  var select = form.querySelector("select[name=seats]");
  var box = form.querySelector("[data-split-box]");
  if (!select || !box) return;
  var unit = parseInt(form.dataset.unitCents, 10);
  var percent = parseInt(form.dataset.pledgePercent, 10);
  var feePercent = parseInt(form.dataset.feePercent, 10) || 0;
  var format = new Intl.NumberFormat(document.documentElement.lang || "en", {
    style: "currency",
    currency: "EUR",
  });
  var sentence = box.querySelector("[data-split-sentence]");
  var hint = form.querySelector("[data-split-box] + .helptext");
  if (hint) hint.hidden = true;

  function update() {
    var seats = parseInt(select.value, 10) || 1;
    var gross = unit * seats;
    var pledge = Math.floor((gross * percent) / 100);
    var fee = Math.min(Math.floor((gross * feePercent) / 100), gross - pledge);
    var values = { gross: gross, pledge: pledge, fee: fee, host: gross - pledge - fee };
    var text = sentence ? sentence.dataset.template : "";
    Object.keys(values).forEach(function (key) {
      var formatted = format.format(values[key] / 100);
      var el = box.querySelector('[data-split="' + key + '"]');
      if (el) el.textContent = formatted;
      text = text.split("[" + key + "]").join(formatted);
    });
    if (sentence && text) sentence.textContent = text.trim();
  }
  update();
  select.addEventListener("change", update);
})();
