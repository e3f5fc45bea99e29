// A file name so long that the form part carrying it passes the server's limit makes the
// whole form unreadable: say so at the field, before anything is sent.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file") {
    return;
  }
  var tooLong = Array.prototype.find.call(input.files || [], function (file) {
    return file.name.length > 200;
  });
  input.setCustomValidity(
    tooLong
      ? "This file name is too long (" + tooLong.name.length + " characters). Rename the file to at most 200 characters and choose it again."
      : ""
  );
  if (tooLong) {
    input.reportValidity();
  }
});
