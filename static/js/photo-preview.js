/* Event form: show the chosen photo before it is uploaded (progressive enhancement; without
   JavaScript the form works the same, the preview just waits for the next page). */
(function () {
  "use strict";
  document.querySelectorAll(".photo-field").forEach(function (field) {
    var input = field.querySelector("input[type=file]");
    var preview = field.querySelector("[data-photo-preview]");
    if (!input || !preview) {
      return;
    }
    var original = preview.getAttribute("src");
    var objectUrl = null;
    input.addEventListener("change", function () {
      if (objectUrl) {
        URL.revokeObjectURL(objectUrl);
        objectUrl = null;
      }
      var file = input.files && input.files[0];
      if (file && /^image\//.test(file.type)) {
        objectUrl = URL.createObjectURL(file);
        preview.setAttribute("src", objectUrl);
        preview.removeAttribute("data-placeholder");
      } else {
        preview.setAttribute("src", original);
      }
    });
  });
})();
