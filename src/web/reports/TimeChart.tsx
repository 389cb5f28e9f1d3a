/**
 * A line chart over time (uPlot, on a canvas): created on mount, fed with `setData` when the
 * data change, resized with its container, destroyed on unmount. Times are shown in `timeZone`
 * (the instance's), whatever the browser's. A null value is a gap in its line (no figure there). Colours come from the app's CSS variables, so it
 * follows light and dark. The chart is a picture of figures that are also in a table: screen
 * readers get `label` instead of the canvas.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** A line: its name, its colour (one of the app's CSS variables), dashed or not, and one value per x. */
export type ChartSeries = { label: string; color: "accent" | "success" | "danger" | "focus" | "muted"; dash?: boolean; values: (number | null)[] };

const HEIGHT = 260;

const HOUR = 3600;
const DAY = 24 * HOUR;
/** Axis labels by tick spacing, 24-hour clock (uPlot's date templates). */
const TIME_AXIS: uPlot.Axis.Values = [
  [365 * DAY, "{YYYY}", null, null, null, null, null, null, 1],
  [28 * DAY, "{MMM}", "\n{YYYY}", null, null, null, null, null, 1],
  [DAY, "{MMM} {D}", "\n{YYYY}", null, null, null, null, null, 1],
  [60, "{HH}:{mm}", "\n{MMM} {D} {YYYY}", null, "\n{MMM} {D}", null, null, null, 1],
];
/** Whole numbers only on the count axis. */
const COUNT_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000, 100_000];

export function TimeChart({ label, timeZone, x, xLabel, xValue, xIncrs, y, series }: {
  label: string;
  timeZone: string;
  /** Unix seconds. */
  x: number[];
  /** The legend's name for the time ("Day"), and how it writes one (uPlot's template, "{YYYY}-{MM}-{DD}"). */
  xLabel: string;
  xValue: string;
  /** Tick spacings to choose from, in seconds (whole days for a daily chart); uPlot's own when absent. */
  xIncrs?: number[];
  /** A fixed value axis and its tick spacings (a score from −1 to +1); counts from zero up when absent. */
  y?: { range: [number, number]; incrs: number[] };
  series: ChartSeries[];
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = [x, ...series.map((s) => s.values)] as uPlot.AlignedData;
  const latest = useRef(data);
  latest.current = data;
  const shape = `${timeZone}|${xLabel}|${xValue}|${xIncrs?.join() ?? ""}|${y ? `${y.range.join()}/${y.incrs.join()}` : ""}|${series.map((s) => `${s.label}:${s.color}:${s.dash ? 1 : 0}`).join(",")}`;

  // Created once per time zone and set of series; removed on unmount.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const css = getComputedStyle(el);
    const color = (name: string) => css.getPropertyValue(`--${name}`).trim() || "currentColor";
    const axis: uPlot.Axis = { stroke: color("muted"), grid: { stroke: color("border"), width: 1 }, ticks: { stroke: color("border"), width: 1 } };
    const u = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: HEIGHT,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: y ? () => y.range : (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
        axes: [
          { ...axis, values: TIME_AXIS, ...(xIncrs ? { incrs: xIncrs } : {}) },
          { ...axis, incrs: y?.incrs ?? COUNT_INCRS },
        ],
        series: [
          { label: xLabel, value: xValue },
          ...series.map((s) => ({ label: s.label, stroke: color(s.color), width: 2, dash: s.dash ? [6, 4] : undefined, points: { size: 5 } })),
        ],
      },
      latest.current,
      el,
    );
    plot.current = u;
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (width !== u.width) u.setSize({ width, height: HEIGHT });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);

  // New figures go to the chart that is already there.
  const dataKey = JSON.stringify(data);
  useEffect(() => {
    plot.current?.setData(data);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dataKey]);

  return <div ref={box} className="time-chart" role="img" aria-label={label} />;
}
