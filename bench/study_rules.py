"""Score selection and interval rules offline on the files bench/study.py kept (no refitting).

Each rule turns the candidates' calibration forecasts (28 past origins) and point forecasts at an
origin into one point path and one residual matrix; intervals are the conformal offsets of that
matrix (as `CalibratedModel.predict` forms them), optionally widened about the median by a factor.
Prints MASE and coverage per rule at h = 24 and h = 168, overall and per series, beside the peers.

    .venv/bin/python bench/study_rules.py /work/study/val
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import realdata as rd  # noqa: E402
import scoring  # noqa: E402

from forecast import schema as S  # noqa: E402
from forecast.conformal import conformal_offsets  # noqa: E402
from forecast.ensemble import simplex_weights  # noqa: E402

QS = (0.025, 0.1, 0.5, 0.9, 0.975)
PEER_COLUMNS = ("yhat", "lo_80", "hi_80", "lo_95", "hi_95")
RULES = (
    "current,all28,xfit,ensemble,only:mstl_ets,only:lightgbm,mean:mstl_ets+lightgbm,"
    "mean:mstl_ets+lightgbm+sarimax,inv:mstl_ets+lightgbm+sarimax"
)
H = 168


def load(folder: Path) -> list[dict]:
    """One record per region and origin: candidates' residuals and points, actuals, peers."""
    out = []
    for done in sorted(folder.glob("*.done")):
        stem = str(done.with_suffix(""))
        cal = pl.read_parquet(f"{stem}_calibration.parquet")
        pts = pl.read_parquet(f"{stem}_points.parquet")
        act = pl.read_parquet(f"{stem}_actual.parquet")
        peers = Path(f"{stem}_peers.parquet")
        peer = pl.read_parquet(peers) if peers.exists() else None
        for (region,), c in cal.group_by(S.REGION):
            cutoff = c[S.CUTOFF][0]
            rec = {"region": region, "cutoff": cutoff, "year": c["year"][0]}
            rec.update(yhat={}, cal={}, resid={}, peers={})
            k_max = int(c[S.K].max()) + 1
            for (model,), cm in c.group_by(S.MODEL):
                cm = cm.sort(S.K, S.STEP)
                y = cm[S.Y].to_numpy().reshape(k_max, H)
                yh = cm[S.YHAT].to_numpy().reshape(k_max, H)
                rec["cal"][model] = yh
                rec["y_cal"] = y
                rec["cal_ts"] = cm[S.TS]
                rec["resid"][model] = y - yh
            p = pts.filter(pl.col(S.REGION) == region).sort(S.MODEL, S.STEP)
            for (model,), pm in p.group_by(S.MODEL):
                rec["yhat"][model] = pm.sort(S.STEP)[S.YHAT].to_numpy()
            ts = p.filter(pl.col(S.MODEL) == p[S.MODEL][0]).sort(S.STEP)[S.TS]
            hours = pl.DataFrame({S.TS: ts})
            rec["ts"] = ts
            a = hours.join(act.filter(pl.col(S.REGION) == region), on=S.TS, how="left")
            rec["actual"] = a["y"].to_numpy().astype(float)
            if peer is not None:
                mine = peer.filter(pl.col(S.REGION) == region)
                for (model,), pm in mine.group_by(S.MODEL):
                    pm = hours.join(pm, on=S.TS, how="left")
                    rec["peers"][model] = {c: pm[c].to_numpy().astype(float) for c in PEER_COLUMNS}
            out.append(rec)
    return out


def add_scales(recs: list[dict]) -> None:
    """Each record's MASE scale: seasonal-naive MAE over the year before its origin."""
    names = sorted({r["region"] for r in recs})
    data = rd.read_series(names)
    cut = pl.DataFrame({S.REGION: [r["region"] for r in recs], S.CUTOFF: [r["cutoff"] for r in recs]})
    sc = scoring.scales(data, cut)
    lookup = {(r, c): s for r, c, s in sc.select(S.REGION, S.CUTOFF, "scale").iter_rows()}
    for r in recs:
        r["scale"] = lookup[(r["region"], r["cutoff"])]


def cal_mae(resid: np.ndarray, ks) -> float:
    return float(np.nanmean(np.abs(resid[list(ks)])))


def ensemble(rec: dict, names, ks) -> np.ndarray:
    """Least-squares simplex weights of `names` learnt on calibration origins `ks`."""
    pts = np.stack([rec["cal"][n][list(ks)].ravel() for n in names], axis=1)
    return simplex_weights(pts, rec["y_cal"][list(ks)].ravel())


def combo(rec: dict, names, w) -> tuple[np.ndarray, np.ndarray]:
    point = sum(wi * rec["yhat"][n] for n, wi in zip(names, w, strict=True))
    cal = sum(wi * rec["cal"][n] for n, wi in zip(names, w, strict=True))
    return point, rec["y_cal"] - cal


def rule(rec: dict, name: str, cands) -> tuple[np.ndarray, np.ndarray, str]:
    """(point path, residual matrix, label) of rule `name`."""
    k = rec["y_cal"].shape[0]
    newest, oldest = range(k // 2), range(k // 2, k)
    cands = [c for c in cands if c in rec["cal"]]
    if name.startswith("only:"):
        m = name[5:]
        return rec["yhat"][m], rec["resid"][m], m
    if name in ("current", "all28", "xfit"):
        scores = {}
        if name == "current":
            for m in cands:
                scores[m] = cal_mae(rec["resid"][m], newest)
            w = ensemble(rec, cands, oldest)
            _, r = combo(rec, cands, w)
            scores["ensemble"] = cal_mae(r, newest)
        elif name == "all28":
            for m in cands:
                scores[m] = cal_mae(rec["resid"][m], range(k))
        else:  # cross-fitted ensemble score on all origins
            for m in cands:
                scores[m] = cal_mae(rec["resid"][m], range(k))
            w1, w2 = ensemble(rec, cands, oldest), ensemble(rec, cands, newest)
            _, r1 = combo(rec, cands, w1)
            _, r2 = combo(rec, cands, w2)
            scores["ensemble"] = (cal_mae(r1, newest) + cal_mae(r2, oldest)) / 2
        best = min(scores, key=scores.get)
        if best == "ensemble":
            p, r = combo(rec, cands, ensemble(rec, cands, range(k)))
            return p, r, best
        return rec["yhat"][best], rec["resid"][best], best
    if name == "ensemble":
        p, r = combo(rec, cands, ensemble(rec, cands, range(k)))
        return p, r, name
    if name.startswith("mean:"):
        ms = name[5:].split("+")
        p, r = combo(rec, ms, [1 / len(ms)] * len(ms))
        return p, r, name
    if name.startswith("inv"):  # weights by inverse calibration MAE (inv2: MSE)
        power = 2 if name.startswith("inv2") else 1
        ms = name.split(":")[1].split("+")
        w = np.array([1 / cal_mae(rec["resid"][m], range(k)) ** power for m in ms])
        p, r = combo(rec, ms, w / w.sum())
        return p, r, name
    raise ValueError(name)


def score(rec: dict, point: np.ndarray, resid: np.ndarray, widen: tuple[float, float], centre: bool):
    if centre:  # as CalibratedModel.aligned_residuals: each step's residuals less their median
        resid = resid - np.nan_to_num(np.nanmedian(resid, axis=0))
    off = conformal_offsets(resid, QS, H, neighbours=2)
    med = off[2]
    q = point + off
    lo95 = point + med + widen[1] * (off[0] - med)
    hi95 = point + med + widen[1] * (off[4] - med)
    lo80 = point + med + widen[0] * (off[1] - med)
    hi80 = point + med + widen[0] * (off[3] - med)
    return score_cols(rec, q[2], lo80, hi80, lo95, hi95)


def score_cols(rec, yhat, lo80, hi80, lo95, hi95):
    y = rec["actual"]
    out = {}
    for h in (24, 168):
        s = slice(0, h)
        ok = np.isfinite(y[s])
        err = np.abs(y[s] - yhat[s])[ok]
        out[h] = (
            float(err.mean() / rec["scale"]),
            float(np.mean((y[s][ok] >= lo80[s][ok]) & (y[s][ok] <= hi80[s][ok])) * 100),
            float(np.mean((y[s][ok] >= lo95[s][ok]) & (y[s][ok] <= hi95[s][ok])) * 100),
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--rules", default=RULES, help="Comma-separated rules (see `rule`).")
    parser.add_argument("--widen", default="1,1", help="Factors on the 80 %% and 95 %% offsets.")
    parser.add_argument("--centre", action="store_true", help="Median = point (centred residuals).")
    args = parser.parse_args()
    recs = [r for f in args.folders for r in load(f)]
    add_scales(recs)
    widen = tuple(float(x) for x in args.widen.split(","))
    cands = ("seasonal_naive", "mstl_ets", "sarimax", "lightgbm")
    table: dict = defaultdict(list)
    picks: dict = defaultdict(lambda: defaultdict(int))
    for rec in recs:
        for name in args.rules.split(","):
            p, r, label = rule(rec, name, cands)
            picks[name][label] += 1
            table[(name, rec["region"])].append(score(rec, p, r, widen, args.centre))
        for peer, cols in rec["peers"].items():
            table[(peer, rec["region"])].append(
                score_cols(rec, cols["yhat"], cols["lo_80"], cols["hi_80"], cols["lo_95"], cols["hi_95"])
            )
    regions = sorted({r["region"] for r in recs})
    models = list(dict.fromkeys(n for n, _ in table))
    for h in (24, 168):
        print(f"\n## h = {h} ({len(recs)} region-origins); MASE per series, overall MASE, cov80, cov95")
        print("| model | " + " | ".join(regions) + " | overall | cov80 | cov95 |")
        for m in models:
            rows = [np.array([x[h] for x in table[(m, r)]]) for r in regions if (m, r) in table]
            allrows = np.concatenate(rows)
            cells = [
                f"{np.mean([x[h][0] for x in table[(m, r)]]):.3f}" if (m, r) in table else "-"
                for r in regions
            ]
            means = allrows.mean(axis=0)
            tail = f" | {means[0]:.3f} | {means[1]:.1f} | {means[2]:.1f} |"
            print(f"| {m} | " + " | ".join(cells) + tail)
    print("\npicks:", {k: dict(v) for k, v in picks.items() if k in ("current", "all28", "xfit")})


if __name__ == "__main__":
    main()
