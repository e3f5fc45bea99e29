// The attendance register's "Tick all" buttons: every open box of a day's column, or of a
// trainee's row, is ticked; nothing is saved until the register is.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-tick]");
  if (!button) return;
  var selector = 'input[type=checkbox][name^="present_"]';
  document.querySelectorAll(selector).forEach(function (box) {
    var parts = box.name.split("_"); // present_<enrolment>_<day>
    var match = button.dataset.tick === "day" ? parts[2] === button.dataset.id : parts[1] === button.dataset.id;
    if (match && !box.disabled) box.checked = true;
  });
});
