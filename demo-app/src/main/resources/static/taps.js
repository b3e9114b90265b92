// Polls /actuator/taps and draws listeners, connection groups (when the endpoint has them) and
// each connection's racing waterfall from its establishment report.
'use strict';

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === 'class') node.className = value;
    else if (key === 'style') node.setAttribute('style', value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(child == null ? '' : String(child)));
  }
  return node;
}

function ms(value) {
  return value == null ? '…' : value.toFixed(value < 10 ? 2 : 1) + ' ms';
}

function renderListeners(listeners) {
  const body = document.querySelector('#listeners tbody');
  body.replaceChildren(...listeners.map(l => el('tr', { 'data-listener-id': l.id, class: 'listener' },
      el('td', {}, l.id), el('td', {}, l.profile), el('td', {}, l.state + (l.error ? ': ' + l.error : '')),
      el('td', {}, l.protocolStack || ''), el('td', {}, l.addresses.join(', ')),
      el('td', {}, l.acceptedConnections))));
}

function renderGroups(groups) {
  const section = document.getElementById('groups-section');
  if (!Array.isArray(groups)) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  document.getElementById('groups').replaceChildren(...groups.map(g =>
      el('pre', { class: 'group' }, JSON.stringify(g, null, 2))));
}

function waterfall(establishment) {
  const attempts = establishment.attempts || [];
  const end = Math.max(0.001, establishment.elapsedMs || 0,
      ...attempts.map(a => a.startMs + (a.durationMs == null ? 0 : a.durationMs)));
  return el('div', { class: 'waterfall' }, ...attempts.map(a => {
    const left = (100 * a.startMs / end).toFixed(2);
    const width = (100 * (a.durationMs == null ? end - a.startMs : a.durationMs) / end).toFixed(2);
    const title = a.outcome + ' ' + a.stack + ' to ' + a.remote + (a.message ? ': ' + a.message : '');
    return el('div', { class: 'waterfall-row', 'data-outcome': a.outcome, title },
        el('span', { class: 'label' }, a.outcome + ' ' + a.stack + ' ' + a.remote),
        el('span', { class: 'track' }, el('span', { class: 'bar ' + a.outcome,
          style: 'left:' + left + '%;width:' + width + '%' })),
        el('span', { class: 'time' }, '+' + ms(a.startMs) + ' / ' + ms(a.durationMs)));
  }));
}

function renderConnections(connections) {
  document.getElementById('connections').replaceChildren(...connections.map(c =>
      el('div', { class: 'connection', 'data-connection-id': c.id },
        el('h3', {}, c.id + ' · ' + c.role + (c.listener ? ' (' + c.listener + ')' : '') + ' · ' + c.state
            + ' · ' + (c.protocolStack || '…')),
        el('div', { class: 'meta' }, (c.local || '?') + ' ⇄ ' + (c.remote || '?')
            + (c.applicationProtocol ? ' · ALPN ' + c.applicationProtocol : '')
            + (c.establishment.winner ? ' · winner: ' + c.establishment.winner : '')),
        waterfall(c.establishment))));
}

async function refresh() {
  try {
    const response = await fetch('actuator/taps', { headers: { Accept: 'application/json' } });
    const taps = await response.json();
    document.getElementById('system').textContent =
        'I/O transport ' + taps.system.ioTransport + ' · TLS ' + taps.system.tlsProvider
        + ' · ' + taps.listeners.length + ' listener(s) · ' + taps.connections.length + ' connection(s)';
    renderListeners(taps.listeners);
    renderGroups(taps.groups);
    renderConnections(taps.connections);
  } catch (failure) {
    document.getElementById('system').textContent = 'cannot read /actuator/taps: ' + failure;
  }
}

refresh();
setInterval(refresh, 1000);
