// Switchboard dashboard: renders the gateway's live feed (/dashboard/events, one snapshot a second) and calls the
// task API for its actions. Histories are bounded: MAX_POINTS per series.
(function () {
  'use strict';
  const WINDOW_MS = 120000;
  const MAX_POINTS = 150;
  const depthHistory = new Map();   // queue -> [[ms, waiting]]
  const rateHistory = [];           // [[ms, finished per second]]
  let previous = null;              // {ts, finished}

  // a token given to the page in its fragment (/dashboard/#token=...: never sent to a server, never in a log) goes
  // with the feed and the actions in the Authorization header (the gateway refuses ?token= on HTTP paths)
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  const auth = token ? {headers: {Authorization: 'Bearer ' + token}} : {};
  const $ = id => document.getElementById(id);
  const text = value => value === null || value === undefined ? '' : String(value);
  const escape = value => text(value).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  const short = id => text(id).length > 13 ? text(id).slice(0, 8) + '…' : text(id);

  function push(list, point) {
    list.push(point);
    while (list.length > MAX_POINTS) list.shift();
  }

  function ago(iso) {
    if (!iso) return '';
    const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return seconds < 60 ? seconds + 's ago' : seconds < 3600 ? Math.round(seconds / 60) + 'm ago' : Math.round(seconds / 3600) + 'h ago';
  }

  function lastTime(task) {
    const times = Object.values(task.timestamps || {});
    return times.sort().pop();
  }

  function rows(tbody, html) {
    tbody.innerHTML = html.length ? html.join('') : '<tr><td colspan="9" class="muted">none</td></tr>';
  }

  function renderCluster(cluster) {
    const nodes = (cluster && cluster.nodes) || [];
    let sockets = 0, busy = 0, slots = 0;
    const byRoute = {};
    rows($('nodes').querySelector('tbody'), nodes.map(node => {
      const ws = node.websockets || {};
      const open = Object.values(ws).reduce((a, b) => a + b, 0);
      Object.entries(ws).forEach(([route, n]) => { byRoute[route] = (byRoute[route] || 0) + n; });
      sockets += open;
      const worker = node.checks && node.checks.worker && node.checks.worker.data;
      let workerCell = '';
      if (worker && worker.concurrency) {
        busy += worker.busy || 0; slots += worker.concurrency;
        const share = Math.round(100 * (worker.busy || 0) / worker.concurrency);
        workerCell = `<span class="bar"><span style="width:${share}%"></span></span> ${worker.busy}/${worker.concurrency} · ${worker.tasksCompleted} done`;
      }
      const self = node.node === cluster.node ? ' (this gateway)' : '';
      return `<tr><td class="mono" title="${escape(node.node)}">${escape(short(node.node))}${self}</td>`
        + `<td>${escape((node.roles || []).join(', '))}</td><td class="${escape(node.status)}">${escape(node.status)}</td>`
        + `<td>${node.roles && node.roles.includes('gateway') ? open : ''}</td><td>${workerCell}</td></tr>`;
    }));
    rows($('connections').querySelector('tbody'), Object.keys(byRoute).sort().map(route =>
      `<tr><td class="mono">${escape(route)}</td><td>${byRoute[route]}</td></tr>`));
    $('card-nodes').textContent = nodes.length;
    $('card-sockets').textContent = sockets;
    $('card-workers').textContent = slots ? `${busy}/${slots}` : '–';
  }

  function renderQueues(snapshot) {
    const data = snapshot.queues;
    if (!data) return;
    let waiting = 0, running = 0, finished = 0;
    rows($('queues').querySelector('tbody'), data.queues.map(q => {
      waiting += q.depth; running += q.running; finished += q.succeeded + q.failed;
      push(depthHistory.get(q.queue) || depthHistory.set(q.queue, []).get(q.queue), [snapshot.ts, q.depth]);
      const name = escape(q.queue);
      const toggle = q.paused ? `<button class="resume" data-queue="${name}">Resume</button>`
        : `<button class="pause" data-queue="${name}">Pause</button>`;
      return `<tr data-queue="${name}"><td class="mono">${name}</td>`
        + `<td><span class="state ${q.paused ? 'PAUSED' : 'ACTIVE'}">${q.paused ? 'paused' : 'active'}</span></td>`
        + `<td>${q.depth}</td><td>${q.running}</td>`
        + `<td>${q.oldestAgeMs ? (q.oldestAgeMs / 1000).toFixed(1) + 's' : ''}</td><td>${q.succeeded}</td>`
        + `<td>${q.failed}</td><td>${q.retried}</td>`
        + `<td>${toggle} <button class="purge" data-queue="${name}" ${q.depth ? '' : 'disabled'}>Purge</button></td></tr>`;
    }));
    $('delayed').textContent = `${data.delayed} delayed (countdown, ETA or waiting to retry)`;
    $('card-waiting').textContent = waiting;
    $('card-running').textContent = running;
    if (previous && snapshot.ts > previous.ts) {
      const rate = Math.max(0, (finished - previous.finished) * 1000 / (snapshot.ts - previous.ts));
      push(rateHistory, [snapshot.ts, rate]);
      $('card-rate').textContent = rate.toFixed(1);
    }
    previous = {ts: snapshot.ts, finished};
    SwitchboardChart.draw($('chart-depth'), [...depthHistory.entries()].map(([queue, points]) => ({label: queue, points})), WINDOW_MS);
    SwitchboardChart.draw($('chart-rate'), [{label: 'finished', points: rateHistory}], WINDOW_MS);
  }

  function actions(task) {
    if (['PENDING', 'STARTED', 'PROGRESS', 'RETRY'].includes(task.state)) {
      return `<button class="revoke" data-id="${escape(task.id)}">Revoke</button>`;
    }
    if (['FAILURE', 'REVOKED'].includes(task.state)) {
      return `<button class="retry" data-id="${escape(task.id)}">Retry</button>`;
    }
    return '';
  }

  function outcome(task) {
    if (task.error) return `<span class="error">${escape(task.error.type)}: ${escape(task.error.message)}</span>`;
    return task.result === null || task.result === undefined ? '' : `<span class="mono">${escape(JSON.stringify(task.result))}</span>`;
  }

  function progress(task) {
    const p = task.progress;
    if (!p || !p.total) return '';
    // progress comes from task code (any language, any JSON): numbers are forced, text is escaped
    const share = Math.max(0, Math.min(100, Math.round(100 * Number(p.current) / Number(p.total)))) || 0;
    return `<span class="bar"><span style="width:${share}%"></span></span> ${escape(p.current)}/${escape(p.total)}`;
  }

  function renderTasks(snapshot) {
    rows($('recent').querySelector('tbody'), (snapshot.recent || []).map(task =>
      `<tr data-task-id="${escape(task.id)}"><td class="mono" title="${escape(task.id)}">${escape(short(task.id))}</td>`
      + `<td class="mono">${escape(task.name)}</td><td><span class="state ${escape(task.state)}">${escape(task.state)}</span></td>`
      + `<td>${progress(task)}</td><td>${ago(lastTime(task))}</td><td>${outcome(task)}</td><td>${actions(task)}</td></tr>`));
    rows($('failed').querySelector('tbody'), (snapshot.failed || []).map(task =>
      `<tr data-task-id="${escape(task.id)}"><td class="mono" title="${escape(task.id)}">${escape(short(task.id))}</td>`
      + `<td class="mono">${escape(task.name)}</td><td>${ago(task.timestamps && task.timestamps.FAILURE)}</td>`
      + `<td>${outcome(task)}</td><td>${actions(task)}</td></tr>`));
  }

  function renderGroups(data) {
    if (!data) return;
    rows($('groups').querySelector('tbody'), data.groups.map(g =>
      `<tr><td class="mono">${escape(g.group)}</td><td>${escape(g.size)}</td></tr>`));
    $('groups-total').textContent = data.total > data.groups.length ? `${data.total} groups, first ${data.groups.length} shown` : '';
  }

  function render(snapshot) {
    renderCluster(snapshot.cluster);
    renderGroups(snapshot.groups);
    renderQueues(snapshot);
    renderTasks(snapshot);
    $('updated').textContent = 'updated ' + new Date(snapshot.ts).toLocaleTimeString()
      + ((snapshot.errors || []).length ? ' · ' + snapshot.errors.join('; ') : '');
  }

  function toast(message) {
    const box = $('toast');
    box.textContent = message;
    box.classList.add('show');
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => box.classList.remove('show'), 3000);
  }

  // A retried task is watched live over /ws/tasks/{id} with the client SDK (switchboard.js), which reconnects
  // on its own if the gateway or the consumers node restarts; the final state is toasted.
  function watch(id) {
    const socket = Switchboard.connect('/ws/tasks/' + encodeURIComponent(id), {token, maxAttempts: 5});
    socket.on('message', event => {
      if (event && ['SUCCESS', 'FAILURE', 'REVOKED'].includes(event.state)) {
        toast(`${short(id)}: ${event.state}`);
        socket.close();
      }
    });
  }

  async function act(kind, id) {
    const request = kind === 'revoke'
      ? fetch('/api/tasks/' + encodeURIComponent(id), {method: 'DELETE', ...auth})
      : fetch('/api/tasks/' + encodeURIComponent(id) + '/retry', {method: 'POST', ...auth});
    try {
      const response = await request;
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || response.statusText);
      toast(kind === 'revoke' ? `revoked ${short(id)}: ${body.state}` : `retried ${short(id)} as ${short(body.id)}`);
      if (kind === 'retry') watch(body.id);
    } catch (err) {
      toast(`${kind} ${short(id)} failed: ${err.message}`);
    }
  }

  // Queue control: pause / resume (no worker starts the queue's tasks meanwhile) and purge (its waiting tasks end
  // REVOKED), cluster-wide; the next snapshot shows the new state.
  async function control(kind, queue) {
    const path = '/api/queues/' + encodeURIComponent(queue) + (kind === 'purge' ? '/tasks' : '/' + kind);
    try {
      const response = await fetch(path, {method: kind === 'purge' ? 'DELETE' : 'POST', ...auth});
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || response.statusText);
      toast(kind === 'purge' ? `purged ${body.purged} waiting task(s) from ${queue}` : `queue ${queue} ${kind}d`);
    } catch (err) {
      toast(`${kind} ${queue} failed: ${err.message}`);
    }
  }

  document.addEventListener('click', event => {
    const button = event.target.closest('button.revoke, button.retry');
    if (button) {
      button.disabled = true;
      act(button.classList.contains('revoke') ? 'revoke' : 'retry', button.dataset.id);
    }
    const queueButton = event.target.closest('button.pause, button.resume, button.purge');
    if (queueButton) {
      const kind = ['pause', 'resume', 'purge'].find(name => queueButton.classList.contains(name));
      if (kind === 'purge' && !confirm(`Purge the waiting tasks of ${queueButton.dataset.queue}? They end REVOKED.`)) return;
      queueButton.disabled = true;
      control(kind, queueButton.dataset.queue);
    }
  });

  // The feed is Server-Sent Events read with fetch rather than EventSource, which cannot send a header.
  async function follow() {
    for (;;) {
      try {
        const response = await fetch('/dashboard/events', {headers: {...(auth.headers || {}), Accept: 'text/event-stream'}});
        if (!response.ok) throw new Error(response.status + ' ' + response.statusText);
        $('feed').textContent = 'live'; $('feed').className = 'feed up';
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffered = '';
        for (;;) {
          const {value, done} = await reader.read();
          if (done) break;
          buffered += value.replace(/\r\n/g, '\n');
          let end;
          while ((end = buffered.indexOf('\n\n')) >= 0) {
            const data = buffered.slice(0, end).split('\n').filter(line => line.startsWith('data:'))
              .map(line => line.slice(5).trimStart()).join('\n');
            buffered = buffered.slice(end + 2);
            if (data) render(JSON.parse(data));
          }
        }
      } catch (err) {
        // shown below; the loop reconnects
      }
      $('feed').textContent = 'reconnecting…'; $('feed').className = 'feed down';
      await new Promise(resolve => setTimeout(resolve, 1000));
    }
  }
  follow();
})();
