/**
 * A contact's sentiment turn by turn (uPlot, the charting library of the reports): one line per
 * speaker, x the seconds into the contact, y the turn's score from −1 (negative) to +1
 * (positive). The figures are also in the turns table beside it: screen readers get `label`.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export type SentimentPoint = { time: number; speaker: string; score: number };

const HEIGHT = 200;
const COLORS = ["accent", "success", "focus", "danger"] as const;
/** Ticks on whole seconds and minutes (a short chat would otherwise get fractions that print alike). */
const SECOND_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

export function SentimentChart({ label, points, speakers }: { label: string; points: SentimentPoint[]; speakers: string[] }) {
  const box = useRef<HTMLDivElement>(null);
  const key = JSON.stringify([points, speakers]);
  useEffect(() => {
    const el = box.current;
    if (!el || points.length === 0) return;
    const css = getComputedStyle(el);
    const color = (name: string) => css.getPropertyValue(`--${name}`).trim() || "currentColor";
    const axis: uPlot.Axis = { stroke: color("muted"), grid: { stroke: color("border"), width: 1 }, ticks: { stroke: color("border"), width: 1 } };
    // One x per turn; each speaker's line has a value only at its own turns (gaps spanned).
    const x = points.map((p) => p.time);
    const lines = speakers.map((s) => points.map((p) => (p.speaker === s ? p.score : null)));
    const u = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: HEIGHT,
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false }, y: { range: [-1, 1] } },
        axes: [
          { ...axis, incrs: SECOND_INCRS, values: (_u, ticks) => ticks.map((t) => `${Math.floor(t / 60)}:${String(Math.round(t % 60)).padStart(2, "0")}`) },
          { ...axis, values: (_u, ticks) => ticks.map((t) => (t > 0 ? `+${t}` : String(t))) },
        ],
        series: [
          { label: "Time", value: (_u, v) => (v == null ? "" : `${Math.floor(v / 60)}:${String(Math.round(v % 60)).padStart(2, "0")}`) },
          ...speakers.map((s, i) => ({ label: s, stroke: color(COLORS[i % COLORS.length]), width: 2, spanGaps: true, points: { size: 6 } })),
        ],
      },
      [x, ...lines] as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (width !== u.width) u.setSize({ width, height: HEIGHT });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return <div ref={box} className="time-chart" role="img" aria-label={label} />;
}
