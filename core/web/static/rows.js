// 清册 row form: type one of 姓名 / 个人账号 / 证件号码 and leave the field (点击空白处):
// the unit's person is looked up and the row's other fields are filled back (反显).
(function () {
  var box = document.querySelector(".row-form[data-lookup]");
  if (!box || !box.dataset.lookup) { return; }
  var form = box.querySelector("form");
  if (!form) { return; }
  var keys = ["account_no", "id_no", "name"];
  var note = document.createElement("p");
  note.className = "lookup-message";
  form.insertBefore(note, form.firstChild);

  function field(name) { return form.querySelector("[name='" + name + "']"); }

  function fill(found, typed) {
    Object.keys(found).forEach(function (name) {
      var input = field(name);
      if (!input || name === typed || input.readOnly || input.disabled) { return; }
      if (input.tagName === "SELECT") {
        var option = Array.prototype.find.call(input.options, function (o) {
          return o.value === found[name] || o.text === found[name];
        });
        if (option) { input.value = option.value; }
      } else if (!input.value) {
        input.value = found[name];
      }
    });
  }

  keys.forEach(function (key) {
    var input = field(key);
    if (!input) { return; }
    input.addEventListener("change", function () {
      var value = input.value.trim();
      if (!value) { return; }
      var url = box.dataset.lookup + "?" + key + "=" + encodeURIComponent(value);
      fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (found) {
        note.textContent = found.found ? "" : (found.message || "");
        if (found.found) { fill(found, key); }
      });
    });
  });
})();
