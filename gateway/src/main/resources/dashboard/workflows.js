// The dashboard's Workflows panel: the newest workflows from GET /api/workflows?limit=20 (polled every 2 s), each with
// its state, how many of its tasks are done, and its result or the error naming the member that failed.
(function () {
  'use strict';
  const POLL_MS = 2000;
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  const headers = token ? {Authorization: 'Bearer ' + token} : {};
  const $ = id => document.getElementById(id);
  const text = value => value === null || value === undefined ? '' : String(value);
  const escape = value => text(value).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));

  function outcome(workflow) {
    if (workflow.error) return `<span class="error">${escape(workflow.error.message)}</span>`;
    return workflow.result === null || workflow.result === undefined ? '' : `<span class="mono">${escape(JSON.stringify(workflow.result))}</span>`;
  }

  function render(list) {
    const body = $('workflows').querySelector('tbody');
    body.innerHTML = list.length ? list.map(workflow => {
      const tasks = workflow.tasks || [];
      const done = tasks.filter(task => task.state === 'SUCCESS').length;
      const names = [...new Set(tasks.map(task => task.task))].join(', ');
      return `<tr data-workflow="${escape(workflow.id)}"><td class="mono">${escape(workflow.id)}</td>`
        + `<td><span class="state ${escape(workflow.state)}">${escape(workflow.state)}</span></td><td>${done} / ${tasks.length}</td>`
        + `<td>${escape(names)}</td><td>${escape(new Date(workflow.created).toISOString())}</td><td>${outcome(workflow)}</td></tr>`;
    }).join('') : '<tr><td colspan="6" class="muted">none</td></tr>';
  }

  async function refresh() {
    try {
      const response = await fetch('/api/workflows?limit=20', {headers});
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.error || response.statusText);
      render(answer.workflows || []);
      $('workflows-status').textContent = '';
    } catch (err) {
      $('workflows-status').textContent = 'workflows unavailable: ' + err.message;
    }
  }

  refresh();
  setInterval(refresh, POLL_MS);
})();
