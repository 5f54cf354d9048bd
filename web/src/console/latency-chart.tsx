/** Console: a check's latency per hour over the last 7 days, as an inline SVG chart with a table fallback. */
import { useEffect, useRef, useState } from "react";
import type { GetData } from "../client.ts";
import { percent } from "../format.ts";
import { useT } from "../i18n.ts";
import { BasisText } from "../shared/monitoring.tsx";
import { ScrollBox, tokyoTime } from "../ui.tsx";

type History = GetData<"/api/v1/checks/{id}/history">;

/** An instant's day in Japan (YYYY-MM-DD). */
const jstDay = (iso: string) => new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().slice(0, 10);

/** A round ceiling for the chart's scale: 1, 2 or 5 × 10ⁿ. */
function niceCeil(v: number) {
  if (v <= 0) return 10;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

/**
 * Latency an hour over the last 7 days: an inline SVG (average as a line, the hour's worst dashed),
 * named and described for screen readers, with the hours as a table below.
 */
export function HourlyLatency({ history }: { history: History }) {
  const t = useT();
  const points = history.points.filter((p) => p.latencyAvgMs !== null);
  const from = Date.parse(history.from);
  const to = Date.parse(history.to);
  // Drawn at the width it is shown at, so that its words keep their size on a phone.
  const box = useRef<HTMLDivElement>(null);
  const [W, setW] = useState(720);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setW(Math.max(280, Math.round(el.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const H = 220;
  const pad = { left: 56, right: 12, top: 12, bottom: 28 };
  const max = niceCeil(Math.max(10, ...points.map((p) => p.latencyMaxMs ?? p.latencyAvgMs ?? 0)));
  const x = (iso: string) => pad.left + ((Date.parse(iso) - from) / (to - from)) * (W - pad.left - pad.right);
  const y = (ms: number) => pad.top + (1 - ms / max) * (H - pad.top - pad.bottom);
  /** Lines broken where an hour has no runs. */
  const segments = (value: (p: (typeof points)[number]) => number) => {
    const out: string[][] = [];
    let last = Number.NEGATIVE_INFINITY;
    for (const p of points) {
      const at = Date.parse(p.bucket);
      if (at - last > 3_600_000 * 1.5) out.push([]);
      out.at(-1)!.push(`${x(p.bucket).toFixed(1)},${y(value(p)).toFixed(1)}`);
      last = at;
    }
    return out;
  };
  const avg = points.length
    ? Math.round(points.reduce((s, p) => s + (p.latencyAvgMs ?? 0), 0) / points.length)
    : null;
  const worst = points.length ? Math.max(...points.map((p) => p.latencyMaxMs ?? 0)) : null;
  const ms = (n: number) => t("monitoring.ms").replace("{n}", n.toLocaleString());
  const description =
    avg === null
      ? t("monitoring.history.noLatency")
      : t("monitoring.history.latencySummary")
          .replace("{avg}", ms(avg))
          .replace("{max}", ms(worst ?? 0))
          .replace("{n}", String(points.length));
  // A tick at each midnight in Japan within the week.
  const firstMidnight = Math.ceil((from + 9 * 3_600_000) / 86_400_000) * 86_400_000 - 9 * 3_600_000;
  const every = W < 480 ? 2 : 1;
  const dayTicks = Array.from({ length: 8 }, (_, i) => firstMidnight + i * 86_400_000).filter(
    (d, i) => d <= to && i % every === 0,
  );
  return (
    <section className="card" aria-labelledby="latency-title" data-testid="hourly-latency">
      <h3 id="latency-title">{t("monitoring.history.latency")}</h3>
      <p>
        {t("monitoring.history.uptime7")}: <strong data-testid="uptime-7">{percent(history.uptime)}</strong>
      </p>
      <BasisText basis={history.basis} />
      <p className="hint">{description}</p>
      <div ref={box} />
      {points.length > 0 && (
        <svg
          className="chart"
          viewBox={`0 0 ${W} ${H}`}
          role="img"
          aria-labelledby="latency-svg-title latency-svg-desc"
        >
          <title id="latency-svg-title">{t("monitoring.history.latency")}</title>
          <desc id="latency-svg-desc">{description}</desc>
          {[0, 0.5, 1].map((f) => (
            <g key={f}>
              <line x1={pad.left} x2={W - pad.right} y1={y(max * f)} y2={y(max * f)} className="grid-line" />
              <text x={pad.left - 6} y={y(max * f) + 4} textAnchor="end" className="axis">
                {ms(max * f)}
              </text>
            </g>
          ))}
          {dayTicks.map((d) => {
            const iso = new Date(d).toISOString();
            return (
              <g key={d}>
                <line x1={x(iso)} x2={x(iso)} y1={pad.top} y2={H - pad.bottom} className="grid-line" />
                <text x={x(iso)} y={H - 8} textAnchor={x(iso) > W - 30 ? "end" : "middle"} className="axis">
                  {jstDay(iso).slice(5).replace("-", "/")}
                </text>
              </g>
            );
          })}
          {segments((p) => p.latencyMaxMs ?? p.latencyAvgMs ?? 0).map((s) =>
            s.length > 1 ? (
              <polyline key={`max-${s[0]}`} points={s.join(" ")} className="line-max" />
            ) : (
              <circle
                key={`max-${s[0]}`}
                cx={s[0]!.split(",")[0]}
                cy={s[0]!.split(",")[1]}
                r="2"
                className="dot-max"
              />
            ),
          )}
          {segments((p) => p.latencyAvgMs ?? 0).map((s) =>
            s.length > 1 ? (
              <polyline key={`avg-${s[0]}`} points={s.join(" ")} className="line-avg" />
            ) : (
              <circle
                key={`avg-${s[0]}`}
                cx={s[0]!.split(",")[0]}
                cy={s[0]!.split(",")[1]}
                r="3"
                className="dot-avg"
              />
            ),
          )}
        </svg>
      )}
      {points.length > 0 && (
        <p className="legend hint" aria-hidden="true">
          <span className="key avg" /> {t("monitoring.history.avg")} <span className="key max" />{" "}
          {t("monitoring.history.max")}
        </p>
      )}
      <details className="figures">
        <summary>{t("monitoring.history.hourlyFigures")}</summary>
        <ScrollBox>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("monitoring.history.hour")}</th>
                <th scope="col" className="num">
                  {t("monitoring.history.avg")}
                </th>
                <th scope="col" className="num">
                  {t("monitoring.history.max")}
                </th>
                <th scope="col" className="num">
                  {t("monitoring.uptime")}
                </th>
                <th scope="col" className="num">
                  {t("monitoring.history.runs")}
                </th>
              </tr>
            </thead>
            <tbody>
              {[...history.points].reverse().map((p) => (
                <tr key={p.bucket}>
                  <td>{tokyoTime(p.bucket)}</td>
                  <td className="num">{p.latencyAvgMs === null ? "—" : ms(p.latencyAvgMs)}</td>
                  <td className="num">{p.latencyMaxMs === null ? "—" : ms(p.latencyMaxMs)}</td>
                  <td className="num">{percent(p.uptime)}</td>
                  <td className="num">{p.runs}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      </details>
    </section>
  );
}
