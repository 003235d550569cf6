// The page's small script: uploads and long tasks, each POST carrying the server's token.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="zoufang-token"]').content;

  function post(url, body) {
    return fetch(url, { method: "POST", body: body, headers: { "X-Zoufang-Token": token }, credentials: "same-origin" })
      .then(function (r) {
        return r.text().then(function (t) {
          var doc; try { doc = JSON.parse(t); } catch (e) { doc = { error: t }; }
          if (!r.ok && !doc.error) { doc.error = "请求失败（" + r.status + "）"; }
          doc.httpStatus = r.status; return doc;
        });
      });
  }
  function cell(tr, text) { var td = document.createElement("td"); td.textContent = text == null ? "" : text; tr.appendChild(td); return td; }

  // 回收: drop or choose files → /api/collect
  var drop = document.getElementById("drop"), input = document.getElementById("files");
  function upload(files) {
    var state = document.getElementById("collect-state"), table = document.getElementById("collect-result");
    if (!files.length) { return; }
    var form = new FormData();
    Array.prototype.forEach.call(files, function (f) { form.append("files", f, f.name); });
    state.textContent = "正在合并 " + files.length + " 个文件……";
    post("/api/collect", form).then(function (doc) {
      if (doc.error) { state.textContent = doc.error; return; }
      var body = table.querySelector("tbody"); body.innerHTML = "";
      doc.files.forEach(function (f) {
        var tr = document.createElement("tr");
        cell(tr, f.file.split(/[\\/]/).pop()); cell(tr, f.unit);
        cell(tr, f.status_text).className = "ret-" + (f.status === "merged" ? "已发回" : "逾期未发回");
        [f.added, f.updated, f.removed, (f.conflicts || []).length, (f.rejected || []).length, f.unchanged].forEach(function (n) { cell(tr, n); });
        var said = [f.reason].concat((f.conflicts || []).map(function (c) { return "冲突 " + c.sheet + "!" + c.cell + "（" + c.record + "，" + c.column + "）：总台账保留“" + c.office + "”，单位改为“" + c.unit + "”"; }))
          .concat((f.rejected || []).map(function (r) { return "拒收 " + r.sheet + (r.cell ? "!" + r.cell : "") + "：" + r.reason; }))
          .concat((f.notes || []).map(function (n) { return n.note; })).filter(Boolean);
        var note = cell(tr, said.join("；"));
        if (f.receipt) {  // the receipt collect wrote: downloadable by its name
          var a = document.createElement("a"), name = f.receipt.split(/[\\/]/).pop();
          a.href = "/receipt/" + encodeURIComponent(name); a.textContent = "回执";
          note.appendChild(document.createTextNode(said.length ? " " : "")); note.appendChild(a);
        }
        body.appendChild(tr);
      });
      table.hidden = false;
      state.textContent = "完成：" + doc.files.length + " 个文件" + (doc.backup ? "，原总台账已备份" : "") + "。刷新页面可看到最新的发回情况。";
    }, function () { state.textContent = "无法连接本机服务，请确认 zoufang serve 仍在运行"; });
  }
  if (drop) {
    ["dragenter", "dragover"].forEach(function (e) { drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (e) { drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.remove("over"); }); });
    drop.addEventListener("drop", function (ev) { upload(ev.dataTransfer.files); });
    input.addEventListener("change", function () { upload(input.files); input.value = ""; });
  }

  // 复制
  document.querySelectorAll("[data-copy]").forEach(function (b) {
    b.addEventListener("click", function () {
      var t = document.getElementById(b.getAttribute("data-copy")); t.select();
      try { document.execCommand("copy"); b.textContent = "已复制"; } catch (e) { b.textContent = "请按 Ctrl+C 复制"; }
    });
  });

  // 生成: start a task, poll its progress, offer its download
  var list = document.getElementById("task-list");
  function watch(job, box) {
    var bar = box.querySelector(".progress"), text = box.querySelector(".text");
    fetch("/api/tasks/" + job.id, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (t) {
      if (t.state === "running") {
        if (t.total) { bar.classList.remove("busy"); bar.firstChild.style.width = Math.min(100, 100 * t.done / t.total) + "%"; }
        text.textContent = t.title + "：" + (t.message && !t.done ? t.message : "进行中" + (t.total ? "（" + t.done + " / " + t.total + "）" : t.done ? "（已完成 " + t.done + " 份）" : "……"));
        setTimeout(function () { watch(job, box); }, 500);
        return;
      }
      bar.classList.remove("busy");
      if (t.state === "done") { bar.firstChild.style.width = "100%"; }
      else { bar.firstChild.style.width = "0"; bar.classList.add("failed"); box.classList.add("failed"); }
      text.textContent = t.title + "：" + (t.state === "done" ? "完成。" : "未完成：") + (t.message || "");
      if (t.download) {
        var a = document.createElement("a"); a.href = t.download; a.className = "button download";
        a.textContent = "下载" + (t.files.length > 1 ? "（" + t.files.length + " 个文件，zip）" : "：" + t.files[0]);
        box.appendChild(a);
      }
    });
  }
  document.querySelectorAll("form.task").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var box = document.createElement("div"); box.className = "job";
      box.innerHTML = '<div class="text">已开始……</div><div class="progress busy"><div></div></div>';
      list.prepend(box);
      post("/api/run/" + form.getAttribute("data-kind"), new FormData(form)).then(function (doc) {
        if (doc.error) { box.querySelector(".text").textContent = doc.error; box.querySelector(".progress").remove(); return; }
        watch(doc, box);
      });
    });
  });
})();
