// The admin's autocompletes (select2) are named by the field's label, so a screen reader says
// "Person" or "Holder" even while nothing is chosen yet. select2 builds its box when the page
// is ready (and again for new inline rows), so every box is named as it appears.
function nameAutocompletes() {
  document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
    var label = document.querySelector('label[for="' + select.id + '"]');
    var box = select.parentElement && select.parentElement.querySelector(".select2-selection:not([aria-label])");
    if (!label || !box) return;
    var name = label.textContent.replace(/:\s*$/, "").trim();
    box.removeAttribute("aria-labelledby");
    box.setAttribute("aria-label", name);
    var rendered = box.querySelector(".select2-selection__rendered");
    if (rendered) rendered.setAttribute("aria-label", name);
  });
}
document.addEventListener("DOMContentLoaded", function () {
  nameAutocompletes();
  new MutationObserver(nameAutocompletes).observe(document.body, { childList: true, subtree: true });
});
window.addEventListener("load", nameAutocompletes);
