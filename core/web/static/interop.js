// 互联互通 buttons (查询企业信息 / 查询信用代码 / 人口信息查询): take the values from the
// page's own form (统一社会信用代码, 单位名称, 证件号码, 姓名), ask the server and show
// its answer (an HTML fragment, also on 400 and 503) in the panel below the buttons.
// Without this script each small form opens the plain answer page in a new window.
(function () {
  function pageValue(names) {
    var i, j, fields;
    for (i = 0; i < names.length; i++) {
      fields = document.querySelectorAll("form:not(.interop-form) [name='" + names[i] + "']");
      for (j = 0; j < fields.length; j++) {
        if (fields[j].type !== "hidden" && fields[j].value.trim()) { return fields[j].value.trim(); }
      }
    }
    return "";
  }

  function ask(form, button, panel) {
    Array.prototype.forEach.call(form.querySelectorAll("input[data-from]"), function (input) {
      var value = pageValue(input.dataset.from.split(" "));
      if (value) { input.value = value; }
    });
    var url = (button && button.getAttribute("formaction")) || form.action;
    var query = new URLSearchParams(new FormData(form)).toString();
    panel.textContent = "查询中…";
    fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + query, {
      credentials: "same-origin", headers: {"X-Requested-With": "XMLHttpRequest"}
    }).then(function (response) {
      return response.text();
    }).then(function (html) {
      panel.innerHTML = html;  // rendered (and escaped) by the server
    }).catch(function () {
      panel.innerHTML = "";
      var p = document.createElement("p");
      p.className = "alert alert-danger interop-unavailable";
      p.textContent = "互联互通服务暂不可用，请稍后再试或到服务大厅柜台核验";
      panel.appendChild(p);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("section.interop"), function (box) {
    if (box.dataset.ready) { return; }
    box.dataset.ready = "1";
    var panel = box.querySelector(".interop-result");
    Array.prototype.forEach.call(box.querySelectorAll("form.interop-form"), function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        ask(form, event.submitter, panel);
      });
    });
  });
})();
