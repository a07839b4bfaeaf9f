// 高拍仪 (document camera) capture on the application page.
//
// Most document cameras are UVC devices: the browser's camera API sees them. The photo
// is drawn on a canvas and uploaded as a JPEG with the chosen material type. Where the
// browser cannot reach the camera, the hall's local agent is asked instead:
//   POST <agent>/camera/capture  {"device": "<optional>"}
//   -> the JPEG itself (Content-Type: image/jpeg), or {"image": "<base64 JPEG>"},
//      or {"error": "...", "message": "中文"}
// The server checks every upload by its content, whatever it came from.
(function () {
  var panel = document.getElementById("camera-panel");
  if (!panel) { return; }
  var video = panel.querySelector(".camera-video"), canvas = panel.querySelector(".camera-canvas");
  var devices = panel.querySelector(".camera-device"), status = panel.querySelector(".camera-status");
  var shoot = panel.querySelector(".camera-shoot"), typeSelect = document.getElementById("material-type");
  var stream = null;

  function say(text) { status.textContent = text; }

  function upload(blob) {
    var form = new FormData();
    form.append("csrf_token", panel.dataset.csrf);
    form.append("material_type", typeSelect ? typeSelect.value : "other");
    form.append("file", blob, "高拍仪拍摄-" + new Date().toISOString().replace(/[:.]/g, "") + ".jpg");
    say("正在上传…");
    return fetch(panel.dataset.uploadUrl, {method: "POST", body: form, credentials: "same-origin"})
      .then(function () { window.location.hash = "materials"; window.location.reload(); })
      .catch(function () { say("上传失败，请重试"); });
  }

  function listDevices() {
    return navigator.mediaDevices.enumerateDevices().then(function (all) {
      var cameras = all.filter(function (d) { return d.kind === "videoinput"; });
      devices.innerHTML = "";
      cameras.forEach(function (d, i) {
        var option = document.createElement("option");
        option.value = d.deviceId; option.textContent = d.label || ("摄像头 " + (i + 1));
        devices.appendChild(option);
      });
    });
  }

  function open() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("当前浏览器无法使用摄像头，请使用本机高拍仪服务"); return;
    }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    var video_ = {width: {ideal: 2592}, height: {ideal: 1944}};
    if (devices.value) { video_.deviceId = {exact: devices.value}; }
    navigator.mediaDevices.getUserMedia({video: video_, audio: false}).then(function (s) {
      stream = s; video.srcObject = s; shoot.disabled = false; say("高拍仪已打开，放好材料后点击“拍照上传”");
      return listDevices();
    }).catch(function (e) { say("无法打开高拍仪：" + (e.name === "NotAllowedError" ? "请允许浏览器使用摄像头" : e.message)); });
  }

  function capture() {
    if (!stream || !video.videoWidth) { say("请先打开高拍仪"); return; }
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    canvas.toBlob(function (blob) { if (blob) { upload(blob); } else { say("拍照失败"); } }, "image/jpeg", 0.9);
  }

  function fromAgent() {
    say("正在通过本机高拍仪服务拍摄…");
    fetch(panel.dataset.agentUrl + "/camera/capture", {method: "POST", headers: {"Content-Type": "application/json"},
                                                      body: JSON.stringify({device: devices.value || null})})
      .then(function (r) {
        var type = r.headers.get("Content-Type") || "";
        if (type.indexOf("image/") === 0) { return r.blob(); }
        return r.json().then(function (answer) {
          if (!answer.image) { throw new Error(answer.message || answer.error || "拍摄失败"); }
          var bytes = atob(answer.image), array = new Uint8Array(bytes.length);
          for (var i = 0; i < bytes.length; i++) { array[i] = bytes.charCodeAt(i); }
          return new Blob([array], {type: "image/jpeg"});
        });
      })
      .then(upload)
      .catch(function (e) { say("本机高拍仪服务不可用：" + e.message + "（请确认已安装并启动客户端）"); });
  }

  panel.querySelector(".camera-open").addEventListener("click", open);
  shoot.addEventListener("click", capture);
  panel.querySelector(".camera-agent").addEventListener("click", fromAgent);
  devices.addEventListener("change", function () { if (stream) { open(); } });
})();
