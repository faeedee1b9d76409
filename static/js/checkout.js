/* Checkout: the hold's countdown and card payment with Stripe.js.
 *
 * Flow (works against real Stripe and localstripe's fake Stripe.js alike):
 *   1. ask our server for a SetupIntent, 2. stripe.confirmCardSetup() with the card element gives
 *   a payment method, 3. our server creates and confirms the PaymentIntent with it,
 *   4. if the bank wants 3-D Secure, stripe.confirmCardPayment(clientSecret) runs it, then our
 *   server re-fetches the PaymentIntent. The booking is confirmed only by what Stripe tells
 *   our server; this script only shows the result.
 */
(function () {
  "use strict";

  function startCountdown() {
    var el = document.getElementById("hold-countdown");
    if (!el) return;
    var deadline = Date.now() + parseInt(el.dataset.secondsLeft, 10) * 1000;
    var template = el.dataset.template || "TIME";
    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      if (left <= 0) {
        el.textContent = el.dataset.expiredText;
        var button = document.getElementById("pay-button");
        if (button) button.disabled = true;
        return;
      }
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      el.textContent = template.replace("TIME", minutes + ":" + (seconds < 10 ? "0" : "") + seconds);
      window.setTimeout(tick, 1000);
    }
    tick();
  }

  function setupPayment() {
    var form = document.getElementById("payment-form");
    if (!form) return;
    var errors = document.getElementById("payment-errors");
    var button = document.getElementById("pay-button");
    var buttonText = button.textContent;

    function showError(message) {
      errors.textContent = message || form.dataset.textFailed;
      errors.hidden = false;
      button.disabled = false;
      button.textContent = buttonText;
    }

    if (typeof window.Stripe !== "function") {
      showError(form.dataset.textNojs);
      button.disabled = true;
      return;
    }
    var stripe = window.Stripe(form.dataset.stripeKey);
    var card = stripe.elements().create("card");
    card.mount("#card-element");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

    function post(url, data) {
      var body = new URLSearchParams(data || {});
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        body: body,
      }).then(function (response) {
        return response.json().catch(function () {
          return { status: "failed", error: form.dataset.textFailed };
        });
      });
    }

    function afterServerCheck(result) {
      if (result.booking_status === "held" && result.payment_status === "requires_payment_method") {
        showError(result.error);
      } else {
        window.location.assign(result.redirect || form.dataset.doneUrl);
      }
    }

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      button.textContent = form.dataset.textWorking;
      errors.hidden = true;
      errors.textContent = "";
      try {
        var setup = await post(form.dataset.setupUrl);
        if (!setup.client_secret) return showError(setup.error);
        var confirmed = await stripe.confirmCardSetup(setup.client_secret, {
          payment_method: { card: card },
        });
        if (confirmed.error) return showError(confirmed.error.message);
        var paymentMethod = confirmed.setupIntent.payment_method;
        if (typeof paymentMethod === "object" && paymentMethod) paymentMethod = paymentMethod.id;
        var paid = await post(form.action, { payment_method: paymentMethod });
        if (paid.status === "succeeded" || paid.status === "processing") {
          window.location.assign(paid.redirect || form.dataset.doneUrl);
        } else if (paid.status === "requires_action") {
          // 3-D Secure: Stripe.js shows the bank's challenge (localstripe: a confirm/fail box).
          await stripe.confirmCardPayment(paid.client_secret);
          afterServerCheck(await post(form.dataset.statusUrl));
        } else {
          showError(paid.error);
        }
      } catch (err) {
        showError(form.dataset.textFailed);
      }
    });
  }

  startCountdown();
  setupPayment();
})();
