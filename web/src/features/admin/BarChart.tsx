// One bar chart drawn by chart.js (only the pieces a bar chart needs, loaded with the
// statistics page). The canvas is an image named by `label`; the table that follows
// it carries the same figures for screen readers and keyboard users.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);
// The page's own type: the system font, large enough to read on a phone.
Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
Chart.defaults.font.size = 14;
Chart.defaults.color = '#1b1b1b';

const PRIMARY = '#1d3f72';
const TEXT = '#1b1b1b';
const GRID = '#c9ccd1';

export default function BarChart({
  label,
  labels,
  values,
  format,
  horizontal = false,
}: {
  label: string;
  labels: string[];
  values: number[];
  format: (value: number) => string;
  horizontal?: boolean;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const formatRef = useRef(format);
  useEffect(() => {
    formatRef.current = format;
  });
  const key = JSON.stringify([label, labels, values, horizontal]);
  useEffect(() => {
    const format = (v: number) => formatRef.current(v);
    if (!ref.current) return;
    const chart = new Chart(ref.current, {
      type: 'bar',
      data: { labels, datasets: [{ label, data: values, backgroundColor: PRIMARY, borderColor: PRIMARY, maxBarThickness: 48 }] },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        // Figures, not a show: drawn at once (also on a resize, and for those who
        // prefer reduced motion).
        animation: false,
        plugins: { tooltip: { callbacks: { label: (item) => format(Number(item.raw)) } } },
        scales: {
          x: { ticks: { color: TEXT, ...(horizontal ? { callback: (v) => format(Number(v)) } : {}) }, grid: { color: GRID } },
          y: { ticks: { color: TEXT, ...(horizontal ? {} : { callback: (v) => format(Number(v)), precision: 0 }) }, grid: { color: GRID }, beginAtZero: true },
        },
      },
    });
    return () => chart.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return (
    <div className={horizontal ? 'chart chart--horizontal' : 'chart'}>
      <canvas ref={ref} role="img" aria-label={label} />
    </div>
  );
}
