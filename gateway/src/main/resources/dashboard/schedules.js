// The dashboard's Schedules panel: periodic tasks from GET /api/schedules (polled every 2 s, the list is bounded by
// schedules.max), a form that POSTs a new one, and a remove button per row (DELETE /api/schedules/{name}).
(function () {
  'use strict';
  const POLL_MS = 2000;
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  const headers = token ? {Authorization: 'Bearer ' + token} : {};
  const $ = id => document.getElementById(id);
  const text = value => value === null || value === undefined ? '' : String(value);
  const escape = value => text(value).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));

  function when(schedule) {
    return schedule.every ? 'every ' + schedule.every : 'cron ' + schedule.cron + (schedule.tz ? ' (' + schedule.tz + ')' : '');
  }

  function last(run) {
    if (!run) return '<span class="muted">not yet</span>';
    return run.error
      ? `${escape(run.at)} <span class="error">${escape(run.error)}</span>`
      : `${escape(run.at)} <span class="mono">${escape(run.id)}</span>`;
  }

  function render(answer) {
    const list = answer.schedules || [];
    const body = $('schedules').querySelector('tbody');
    body.innerHTML = list.length ? list.map(schedule =>
      `<tr data-schedule="${escape(schedule.name)}"><td>${escape(schedule.name)}</td><td>${escape(schedule.task)}</td>`
      + `<td>${escape(when(schedule))}</td><td class="next">${escape(schedule.next)}</td><td class="last">${last(schedule.last)}</td>`
      + `<td><button class="unschedule" data-name="${escape(schedule.name)}">remove</button></td></tr>`).join('')
      : '<tr><td colspan="6" class="muted">none</td></tr>';
    $('schedules-leader').textContent = `${list.length} of at most ${answer.max} · `
      + (answer.leader ? 'sent by ' + answer.leader : 'no worker\'s scheduler leads');
  }

  async function call(method, path, body) {
    const response = await fetch(path, {method, headers: {...headers, ...(body ? {'Content-Type': 'application/json'} : {})},
      body: body ? JSON.stringify(body) : undefined});
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || response.statusText);
    return answer;
  }

  async function refresh() {
    try {
      render(await call('GET', '/api/schedules'));
    } catch (err) {
      $('schedules-leader').textContent = 'schedules unavailable: ' + err.message;
    }
  }

  $('schedule-form').addEventListener('submit', async event => {
    event.preventDefault();
    const form = event.target;
    const timing = form.when.value.trim();
    const body = {name: form.name.value.trim(), task: form.task.value.trim()};
    // a cron expression has five fields; an interval is one word such as 10s
    if (timing.includes(' ')) body.cron = timing; else body.every = timing;
    if (form.tz.value.trim()) body.tz = form.tz.value.trim();
    try {
      if (form.args.value.trim()) body.args = JSON.parse(form.args.value);
      const saved = await call('POST', '/api/schedules', body);
      $('schedule-status').textContent = `${saved.name}: next ${saved.next}`;
      $('schedule-status').className = 'muted';
      await refresh();
    } catch (err) {
      $('schedule-status').textContent = err.message;
      $('schedule-status').className = 'muted error';
    }
  });

  document.addEventListener('click', async event => {
    const button = event.target.closest('button.unschedule');
    if (!button) return;
    button.disabled = true;
    try {
      await call('DELETE', '/api/schedules/' + encodeURIComponent(button.dataset.name));
    } catch (err) {
      $('schedule-status').textContent = err.message;
    }
    await refresh();
  });

  refresh();
  setInterval(refresh, POLL_MS);
})();
