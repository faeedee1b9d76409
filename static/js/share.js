// The "Share" button: the Web Share API where the browser has it, else copy the link.
// Progressive enhancement: the button stays hidden without JavaScript.
(function () {
  "use strict";

  function copyWithTextarea(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    document.body.removeChild(area);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copy(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).catch(function () {
        return copyWithTextarea(text);
      });
    }
    return copyWithTextarea(text);
  }

  function setUp(button) {
    if (button.dataset.shareReady) {
      return;
    }
    button.dataset.shareReady = "1";
    var status = button.parentNode.querySelector(".share-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      var data = {
        title: button.dataset.shareTitle,
        text: button.dataset.shareText || undefined,
        url: button.dataset.shareUrl,
      };
      if (navigator.share && (!navigator.canShare || navigator.canShare(data))) {
        navigator.share(data).catch(function () {
          // The person closed the share sheet: nothing to say.
        });
        return;
      }
      copy(data.url).then(
        function () {
          if (status) status.textContent = button.dataset.shareCopied;
        },
        function () {
          if (status) status.textContent = button.dataset.shareFailed;
        }
      );
    });
  }

  function init() {
    document.querySelectorAll("[data-share-url]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
