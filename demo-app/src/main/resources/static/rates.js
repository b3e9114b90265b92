// Live rates from the Micrometer meters, read through /actuator/metrics every second: new taps
// Connections per second (taps.connections: Ready or accepted), Messages per second (taps.messages,
// both directions) and the Connections open now (taps.connections.active). Drawn with uPlot,
// served by the app from its WebJar (/webjars/uplot/...).
'use strict';

const RATES = {
  WINDOW: 120, // samples kept (two minutes)
  SERIES: [
    { label: 'new connections/s', stroke: '#2e9e44', meter: 'taps.connections', rate: true },
    { label: 'messages/s', stroke: '#2e6fd3', meter: 'taps.messages', rate: true },
    { label: 'open connections', stroke: '#e0a800', meter: 'taps.connections.active', rate: false, scale: 'open' },
  ],
  data: null,
  previous: null,
  chart: null,
};

/** The meter's total over all its tags (COUNT of a counter, VALUE of a gauge); 0 before it exists. */
async function meterTotal(name) {
  const response = await fetch('actuator/metrics/' + name, { headers: { Accept: 'application/json' } });
  if (response.status === 404) return 0; // registered at the first event
  if (!response.ok) throw new Error('GET actuator/metrics/' + name + ': ' + response.status);
  const meter = await response.json();
  const measurement = meter.measurements.find(m => m.statistic === 'COUNT' || m.statistic === 'VALUE');
  return measurement ? measurement.value : 0;
}

function createRatesChart(target) {
  RATES.data = [[], ...RATES.SERIES.map(() => [])];
  if (typeof uPlot !== 'function') {
    target.replaceChildren(el('p', { class: 'meta' }, 'uPlot did not load from /webjars/uplot/: no chart'));
    return;
  }
  const options = {
    width: Math.max(400, target.clientWidth || 900),
    height: 240,
    scales: { x: { time: true }, open: { auto: true } },
    series: [{}, ...RATES.SERIES.map(s => ({ label: s.label, stroke: s.stroke, width: 2, scale: s.scale || 'y',
      points: { show: false } }))],
    axes: [{}, { label: 'per second' }, { scale: 'open', side: 1, label: 'open', grid: { show: false } }],
  };
  RATES.chart = new uPlot(options, RATES.data, target);
}

async function sampleRates() {
  const target = document.getElementById('rates');
  if (!RATES.data) createRatesChart(target);
  const totals = await Promise.all(RATES.SERIES.map(s => meterTotal(s.meter)));
  const time = Date.now() / 1000;
  const previous = RATES.previous;
  RATES.previous = { time, totals };
  if (!previous) return;
  const elapsed = Math.max(time - previous.time, 0.001);
  RATES.data[0].push(time);
  RATES.SERIES.forEach((s, i) => RATES.data[i + 1].push(s.rate
      ? Math.max(0, totals[i] - previous.totals[i]) / elapsed : totals[i]));
  if (RATES.data[0].length > RATES.WINDOW) RATES.data.forEach(series => series.shift());
  if (RATES.chart) {
    const width = Math.max(400, target.clientWidth);
    if (Math.abs(width - RATES.chart.width) > 1) RATES.chart.setSize({ width, height: RATES.chart.height });
    RATES.chart.setData(RATES.data);
  }
  target.dataset.points = String(RATES.data[0].length);
  document.getElementById('rates-summary').textContent = RATES.SERIES.map((s, i) =>
      s.label + ': ' + RATES.data[i + 1][RATES.data[i + 1].length - 1].toFixed(s.rate ? 1 : 0)).join(' · ');
}

async function refreshRates() {
  try {
    await sampleRates();
  } catch (failure) {
    document.getElementById('rates-summary').textContent = 'cannot read /actuator/metrics: ' + failure;
  }
}
