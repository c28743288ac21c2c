// Upload page: drag and drop (or pick) many files or zip archives; each file is sent on its own
// request so it gets its own progress bar and result row. Without JavaScript the form posts.
(function () {
  var form = document.getElementById('upload-form');
  if (!form) return;
  var drop = document.getElementById('drop');
  var input = document.getElementById('files');
  var list = document.getElementById('results');
  var csrf = form.getAttribute('data-csrf');
  function esc(s) { var d = document.createElement('div'); d.textContent = s == null ? '' : String(s); return d.innerHTML; }
  function row(name) {
    var tr = document.createElement('tr');
    tr.innerHTML = '<td>' + esc(name) + '</td><td><div class="progress"><div></div></div></td><td class="state muted">waiting</td><td class="tpl"></td><td class="num err"></td><td class="num warn"></td><td class="link"></td>';
    list.appendChild(tr);
    return tr;
  }
  function show(tr, r) {
    tr.querySelector('.state').innerHTML = '<span class="pill ' + esc(r.outcome) + '">' + esc(r.outcome.replace(/_/g, ' ')) + '</span>' + (r.reason ? '<div class="small muted">' + esc(r.reason) + '</div>' : '');
    tr.querySelector('.tpl').innerHTML = esc(r.template || '') + (r.company ? '<div class="small muted">' + esc(r.company) + '</div>' : '');
    tr.querySelector('.err').textContent = r.errors;
    tr.querySelector('.warn').textContent = r.warnings;
    if (r.submission_id) tr.querySelector('.link').innerHTML = '<a href="/submissions/' + r.submission_id + '">open</a>';
  }
  function send(file, tr) {
    return new Promise(function (resolve) {
      var fd = new FormData();
      fd.append('campaign', form.querySelector('[name=campaign]').value);
      fd.append('file', file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open('POST', '/upload');
      xhr.setRequestHeader('X-CSRF-Token', csrf);
      xhr.setRequestHeader('Accept', 'application/json');
      var bar = tr.querySelector('.progress > div');
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.style.width = (e.loaded / e.total * 100) + '%'; };
      xhr.upload.onload = function () { bar.style.width = '100%'; tr.querySelector('.state').textContent = 'checking…'; };
      xhr.onload = function () {
        var results = [];
        try { results = JSON.parse(xhr.responseText); } catch (e) { results = [{ outcome: 'error', reason: xhr.status + ' ' + xhr.statusText, errors: '', warnings: '' }]; }
        if (!Array.isArray(results)) results = [results];
        results.forEach(function (r, i) { var t = i === 0 ? tr : row(r.name); if (i > 0) t.querySelector('.progress > div').style.width = '100%'; show(t, r); });
        resolve();
      };
      xhr.onerror = function () { show(tr, { outcome: 'error', reason: 'network error', errors: '', warnings: '' }); resolve(); };
      xhr.send(fd);
    });
  }
  function handle(files) {
    document.getElementById('results-card').style.display = '';
    var jobs = Array.prototype.map.call(files, function (f) { return [f, row(f.name)]; });
    jobs.reduce(function (p, j) { return p.then(function () { return send(j[0], j[1]); }); }, Promise.resolve())
      .then(function () { document.getElementById('done').style.display = ''; });
  }
  form.addEventListener('submit', function (e) { e.preventDefault(); if (input.files.length) handle(input.files); });
  input.addEventListener('change', function () { if (input.files.length) handle(input.files); });
  ['dragenter', 'dragover'].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add('over'); }); });
  ['dragleave', 'drop'].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove('over'); }); });
  drop.addEventListener('drop', function (e) { if (e.dataTransfer.files.length) handle(e.dataTransfer.files); });
})();
