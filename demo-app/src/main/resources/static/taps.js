// Polls /actuator/taps and draws listeners, connection groups with their members' transfer
// figures, the cached path statistics, the local paths, the connections and (timeline.js) their
// establishments on one time axis; rates.js samples the meters for the live chart.
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

function bytes(value) {
  return value < 1024 ? value + ' B' : (value / 1024).toFixed(1) + ' KiB';
}

function transferCells(t) {
  return [el('td', {}, t.messagesSent + ' / ' + bytes(t.bytesSent)),
    el('td', {}, t.messagesReceived + ' / ' + bytes(t.bytesReceived)),
    el('td', {}, t.smoothedRttMs == null ? '–' : ms(t.smoothedRttMs)),
    el('td', {}, (t.durationMs / 1000).toFixed(1) + ' s')];
}

function renderGroups(groups, connections) {
  // A group names its members by id; each Connection is described once, in taps.connections.
  const byId = new Map(connections.map(c => [c.id, c]));
  document.getElementById('groups').replaceChildren(...(groups || []).map(g => {
    const members = g.connections.map(id => byId.get(id)).filter(c => c);
    const shared = Object.entries(g.sharedProperties || {}).map(([name, value]) => name + '=' + value).join(', ');
    return el('div', { class: 'group', 'data-group-id': g.id, 'data-multiplexed': String(g.multiplexed),
        'data-members': String(g.connections.length) },
      el('h3', {}, g.id + ' · ' + (g.protocolStack || '…') + ' · ' + g.connections.length + ' connection(s)'
          + (g.multiplexed ? ' · multiplexed' : '')),
      el('div', { class: 'meta' }, 'shared properties: ' + (shared || 'defaults')),
      el('table', { class: 'members' },
        el('thead', {}, el('tr', {}, el('th', {}, 'connection'), el('th', {}, 'role'), el('th', {}, 'state'),
            el('th', {}, 'remote'), el('th', {}, 'sent (msgs / bytes)'), el('th', {}, 'received (msgs / bytes)'),
            el('th', {}, 'smoothed RTT'), el('th', {}, 'duration'))),
        el('tbody', {}, ...members.map(c => el('tr', { class: 'member', 'data-member-id': c.id },
            el('td', {}, c.id), el('td', {}, c.role), el('td', {}, c.state), el('td', {}, c.remote || '?'),
            ...transferCells(c.transfer))))));
  }));
}

function renderCache(cache) {
  if (!cache) return;
  document.getElementById('cache-summary').textContent = 'Performance cache (RFC 9623 §9.2): '
      + cache.performance.length + ' path(s) · ' + cache.dnsEntries + ' DNS answer(s) · '
      + cache.tlsSessions + ' TLS session(s) cached';
  document.querySelector('#path-stats tbody').replaceChildren(...cache.performance.map(p =>
      el('tr', { class: 'path-stat', 'data-remote': p.remote },
        el('td', {}, p.remote), el('td', {}, p.localNetwork), el('td', {}, p.successes.toFixed(2)),
        el('td', {}, p.failures.toFixed(2)),
        el('td', {}, p.establishmentTimeMs == null ? '–' : ms(p.establishmentTimeMs)),
        el('td', {}, p.smoothedRttMs == null ? '–' : ms(p.smoothedRttMs)),
        el('td', {}, new Date(p.lastUpdated).toLocaleTimeString()))));
}

function renderPaths(paths) {
  document.querySelector('#paths tbody').replaceChildren(...(paths || []).map(p =>
      el('tr', { class: 'path', 'data-path-name': p.name, 'data-path-type': p.type },
        el('td', {}, p.name), el('td', {}, p.type), el('td', {}, p.up ? 'up' : 'down'),
        el('td', {}, p.addresses.join(', ')))));
}

function renderConnections(connections) {
  document.getElementById('connections').replaceChildren(...connections.map(c =>
      el('div', { class: 'connection', 'data-connection-id': c.id },
        el('h3', {}, c.id + ' · ' + c.role + (c.listener ? ' (' + c.listener + ')' : '') + ' · ' + c.state
            + ' · ' + (c.protocolStack || '…')),
        el('div', { class: 'meta' }, (c.local || '?') + ' ⇄ ' + (c.remote || '?')
            + (c.applicationProtocol ? ' · ALPN ' + c.applicationProtocol : '')
            + (c.security ? ' · ' + c.security.protocolVersion + ' ' + c.security.cipherSuite : '')
            + (c.establishment && c.establishment.winner ? ' · winner: ' + c.establishment.winner : '')),
        el('div', { class: 'meta' }, 'sent ' + c.transfer.messagesSent + ' / ' + bytes(c.transfer.bytesSent)
            + ' · received ' + c.transfer.messagesReceived + ' / ' + bytes(c.transfer.bytesReceived)))));
}

async function refresh() {
  try {
    const response = await fetch('actuator/taps', { headers: { Accept: 'application/json' } });
    const taps = await response.json();
    document.getElementById('system').textContent =
        'I/O transport ' + taps.system.ioTransport + ' · TLS ' + taps.system.tlsProvider
        + ' · ' + taps.listeners.length + ' listener(s) · ' + taps.connections.length + ' connection(s) in '
        + (taps.groups || []).length + ' group(s)';
    renderListeners(taps.listeners);
    renderGroups(taps.groups, taps.connections);
    renderCache(taps.cache);
    renderPaths(taps.paths);
    renderConnections(taps.connections);
    renderTimeline(taps.connections);
  } catch (failure) {
    document.getElementById('system').textContent = 'cannot read /actuator/taps: ' + failure;
  }
}

refresh();
setInterval(refresh, 1000);
refreshRates();
setInterval(refreshRates, 1000);
document.getElementById('collapse-gaps').addEventListener('change', refresh);
