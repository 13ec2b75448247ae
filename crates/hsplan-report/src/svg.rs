//! Inline SVG charts: stacked bar, progress bar, sparkline, horizontal bar chart and
//! choropleth. Coordinates are written with fixed decimals so output is deterministic.

use crate::html::esc;
use hsplan_model::MultiPolygon;
use std::fmt::Write;

/// One part of a stacked bar.
pub struct Segment {
    /// Legend text.
    pub label: String,
    /// Size.
    pub value: f64,
    /// Fill colour.
    pub colour: String,
}

/// A horizontal bar split into segments, with a legend below.
pub fn stacked_bar(segments: &[Segment], width: f64, height: f64) -> String {
    let total: f64 = segments.iter().map(|s| s.value).sum();
    let legend_h = 20.0;
    let mut s = format!(
        "<svg width=\"{width:.0}\" height=\"{:.0}\" role=\"img\">",
        height + legend_h + 4.0
    );
    let mut x = 0.0;
    for seg in segments {
        let w = if total > 0.0 {
            seg.value / total * width
        } else {
            0.0
        };
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"0\" width=\"{w:.1}\" height=\"{height:.0}\" fill=\"{}\"><title>{} {}</title></rect>",
            seg.colour,
            esc(&seg.label),
            seg.value
        );
        if w > 18.0 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#fff\" font-size=\"13\" text-anchor=\"middle\">{}</text>",
                x + w / 2.0,
                height / 2.0 + 5.0,
                seg.value
            );
        }
        x += w;
    }
    let mut lx = 0.0;
    for seg in segments {
        let _ = write!(
            s,
            "<rect x=\"{lx:.0}\" y=\"{:.0}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.0}\" y=\"{:.0}\" font-size=\"12\">{} {}</text>",
            height + 6.0,
            seg.colour,
            lx + 16.0,
            height + 17.0,
            esc(&seg.label),
            seg.value
        );
        lx += 118.0;
    }
    s.push_str("</svg>");
    s
}

/// A 100-pixel bar filled to `pct` (clamped to 0–100), with the number beside it.
pub fn progress_bar(pct: f64, colour: &str) -> String {
    let w = pct.clamp(0.0, 100.0);
    format!(
        "<svg width=\"150\" height=\"14\"><rect width=\"100\" height=\"14\" fill=\"#eee\"/>\
         <rect width=\"{w:.1}\" height=\"14\" fill=\"{colour}\"/><text x=\"104\" y=\"11\" font-size=\"11\">{pct:.0}%</text></svg>"
    )
}

/// A small line chart of observed values, with the target drawn at the target year.
pub fn sparkline(values: &[(i32, f64)], target: Option<f64>, target_year: i32) -> String {
    if values.is_empty() {
        return String::new();
    }
    let (w, h, pad) = (140.0, 32.0, 3.0);
    let first = values[0].0;
    let last = target_year.max(values[values.len() - 1].0);
    let mut lo = values.iter().map(|v| v.1).fold(f64::INFINITY, f64::min);
    let mut hi = values.iter().map(|v| v.1).fold(f64::NEG_INFINITY, f64::max);
    if let Some(t) = target {
        lo = lo.min(t);
        hi = hi.max(t);
    }
    if hi - lo < 1e-12 {
        hi = lo + 1.0;
    }
    let x = |y: i32| {
        if last == first {
            w / 2.0
        } else {
            pad + (y - first) as f64 / (last - first) as f64 * (w - 2.0 * pad)
        }
    };
    let y = |v: f64| h - pad - (v - lo) / (hi - lo) * (h - 2.0 * pad);
    let mut s = format!("<svg width=\"{w:.0}\" height=\"{h:.0}\">");
    if let Some(t) = target {
        let _ = write!(
            s,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#d9534f\" stroke-dasharray=\"3,2\"/>\
             <circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"#d9534f\"><title>{target_year}: {t}</title></circle>",
            x(first),
            y(t),
            x(last),
            y(t),
            x(target_year),
            y(t)
        );
    }
    let points: Vec<String> = values
        .iter()
        .map(|&(yr, v)| format!("{:.1},{:.1}", x(yr), y(v)))
        .collect();
    let _ = write!(
        s,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#2b5d8a\" stroke-width=\"1.5\"/>",
        points.join(" ")
    );
    for &(yr, v) in values {
        let _ = write!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"1.8\" fill=\"#2b5d8a\"><title>{yr}: {v:.2}</title></circle>",
            x(yr),
            y(v)
        );
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars, one per labelled value, in the given order; missing values say "—".
pub fn bar_chart(
    rows: &[(String, Option<f64>)],
    width: f64,
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let row_h = 16.0;
    let label_w = 110.0;
    let value_w = 56.0;
    let max = rows
        .iter()
        .filter_map(|r| r.1)
        .fold(0.0f64, f64::max)
        .max(1e-12);
    let mut s = format!(
        "<svg width=\"{width:.0}\" height=\"{:.0}\">",
        rows.len() as f64 * row_h + 4.0
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let top = i as f64 * row_h;
        let _ = write!(
            s,
            "<text x=\"{:.0}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            label_w - 4.0,
            top + 12.0,
            esc(label)
        );
        let text = match *v {
            Some(v) => {
                let w = v / max * (width - label_w - value_w);
                let _ = write!(
                    s,
                    "<rect x=\"{label_w:.0}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.0}\" fill=\"#5b8db8\"/>",
                    top + 2.0,
                    row_h - 4.0
                );
                let _ = write!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text>",
                    label_w + w + 3.0,
                    top + 12.0,
                    esc(&fmt(v))
                );
                continue;
            }
            None => "—",
        };
        let _ = write!(
            s,
            "<text x=\"{:.0}\" y=\"{:.1}\" font-size=\"11\">{text}</text>",
            label_w + 3.0,
            top + 12.0
        );
    }
    s.push_str("</svg>");
    s
}

/// One area of a choropleth.
pub struct Area<'a> {
    /// Label.
    pub name: String,
    /// Its boundary.
    pub shape: &'a MultiPolygon,
    /// Its value, when complete.
    pub value: Option<f64>,
}

/// Five sequential classes, light to dark.
const CLASSES: [&str; 5] = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];

/// One class of a choropleth: the least and greatest value in it, and how many.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Class {
    /// Least value in the class.
    pub min: f64,
    /// Greatest value in the class.
    pub max: f64,
    /// Values in the class.
    pub count: usize,
}

/// Classes of `values` for a choropleth of at most `k` classes: quantile classes that
/// never split equal values (ties stay in one class), zero in a class of its own when
/// there are also positive values, one class per distinct value when there are no more
/// than `k`. Classes do not overlap and are ordered; non-finite values are ignored.
pub fn class_breaks(values: &[f64], k: usize) -> Vec<Class> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    if v.is_empty() || k == 0 {
        return Vec::new();
    }
    let n = v.len();
    // Cut positions: indices where a new class starts.
    let mut starts = vec![0usize];
    let zeros = v.iter().take_while(|x| **x == 0.0).count();
    let mut distinct = v.clone();
    distinct.dedup();
    if distinct.len() <= k {
        for i in 1..n {
            if v[i] != v[i - 1] {
                starts.push(i);
            }
        }
    } else {
        let (first, rest_k) = if zeros > 0 && zeros < n && v[0] == 0.0 {
            starts.push(zeros);
            (zeros, k - 1)
        } else {
            (0, k)
        };
        let m = n - first;
        for c in 1..rest_k {
            let mut at = first + (c * m).div_ceil(rest_k);
            // move forward past ties so equal values share a class
            while at < n && at > 0 && v[at] == v[at - 1] {
                at += 1;
            }
            if at < n && at > *starts.last().expect("starts is not empty") {
                starts.push(at);
            }
        }
    }
    starts.push(n);
    starts
        .windows(2)
        .filter(|w| w[1] > w[0])
        .map(|w| Class {
            min: v[w[0]],
            max: v[w[1] - 1],
            count: w[1] - w[0],
        })
        .collect()
}

/// The class a value falls in (the last class whose minimum it reaches).
pub fn class_of(v: f64, classes: &[Class]) -> usize {
    classes.iter().rposition(|c| v >= c.min).unwrap_or(0)
}

/// A class's legend text: "0", "3.2", "1.5–2.8".
pub fn class_label(c: &Class, fmt: &dyn Fn(f64) -> String) -> String {
    if c.min == c.max {
        fmt(c.min)
    } else {
        format!("{}–{}", fmt(c.min), fmt(c.max))
    }
}

/// A choropleth of `areas` fitted into width × height (equirectangular projection at the
/// mean latitude), quintile classes, missing values hatched grey, with a legend.
pub fn choropleth(
    areas: &[Area<'_>],
    width: f64,
    height: f64,
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let bounds = areas
        .iter()
        .filter_map(|a| a.shape.bounds())
        .fold(None::<[f64; 4]>, |acc, b| {
            Some(match acc {
                None => b,
                Some(a) => [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ],
            })
        });
    let Some([w, s, e, n]) = bounds else {
        return String::new();
    };
    let legend_h = 22.0;
    let map_h = height - legend_h;
    let k = ((s + n) / 2.0).to_radians().cos();
    let (dx, dy) = (((e - w) * k).max(1e-9), (n - s).max(1e-9));
    let scale = ((width - 8.0) / dx).min((map_h - 8.0) / dy);
    let ox = (width - dx * scale) / 2.0;
    let oy = (map_h - dy * scale) / 2.0;
    let px = |lon: f64| ox + (lon - w) * k * scale;
    let py = |lat: f64| oy + (n - lat) * scale;
    let values: Vec<f64> = areas.iter().filter_map(|a| a.value).collect();
    let br = class_breaks(&values, CLASSES.len());
    // Light to dark over the classes there are (fewer than five when values tie).
    let colour = |class: usize| {
        let last = br.len().saturating_sub(1).max(1);
        CLASSES[(class * (CLASSES.len() - 1) + last / 2) / last]
    };
    let mut out = format!(
        "<svg width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\">\
         <defs><pattern id=\"nodata\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\"><rect width=\"6\" height=\"6\" fill=\"#ddd\"/>\
         <path d=\"M0,6 L6,0\" stroke=\"#999\"/></pattern></defs>"
    );
    for a in areas {
        let mut d = String::new();
        for poly in &a.shape.0 {
            for ring in poly {
                for (i, p) in ring.iter().enumerate() {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1}",
                        if i == 0 { "M" } else { "L" },
                        px(p.lon()),
                        py(p.lat())
                    );
                }
                d.push('Z');
            }
        }
        let (fill, text) = match a.value {
            Some(v) => (colour(class_of(v, &br)).to_string(), fmt(v)),
            None => ("url(#nodata)".to_string(), "—".to_string()),
        };
        let _ = write!(
            out,
            "<path d=\"{d}\" fill=\"{fill}\" fill-rule=\"evenodd\" stroke=\"#fff\" stroke-width=\"1\"><title>{}: {}</title></path>",
            esc(&a.name),
            esc(&text)
        );
    }
    // Labels at the centre of each area's bounding box.
    for a in areas {
        if let Some([aw, as_, ae, an]) = a.shape.bounds() {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\" fill=\"#222\" stroke=\"#fff\" stroke-width=\"2\" paint-order=\"stroke\">{}</text>",
                px((aw + ae) / 2.0),
                py((as_ + an) / 2.0) + 3.0,
                esc(&a.name)
            );
        }
    }
    // Legend: each class with its range of values.
    for (i, c) in br.iter().enumerate() {
        let x = 4.0 + i as f64 * 70.0;
        let _ = write!(
            out,
            "<rect x=\"{x:.0}\" y=\"{:.0}\" width=\"14\" height=\"12\" fill=\"{}\" stroke=\"#999\"/><text x=\"{:.0}\" y=\"{:.0}\" font-size=\"10\">{}</text>",
            map_h + 4.0,
            colour(i),
            x + 17.0,
            map_h + 14.0,
            esc(&class_label(c, fmt))
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintile_classes() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        let b = class_breaks(&v, 5);
        let ranges: Vec<(f64, f64)> = b.iter().map(|c| (c.min, c.max)).collect();
        assert_eq!(
            ranges,
            vec![(1., 2.), (3., 4.), (5., 6.), (7., 8.), (9., 10.)]
        );
        assert_eq!(class_of(1.0, &b), 0);
        assert_eq!(class_of(3.0, &b), 1);
        assert_eq!(class_of(10.0, &b), 4);
    }

    /// Regression: a legend showed "≥0.00" four times and painted zero-valued towns in
    /// the darkest class when most values were zero (每十万人口精神科执业（助理）医师数).
    #[test]
    fn ties_and_zeros_keep_their_own_class() {
        let mut v = vec![0.0; 13];
        v.extend([1.2, 2.5, 2.5, 4.0]);
        let b = class_breaks(&v, 5);
        assert_eq!(
            b[0],
            Class {
                min: 0.0,
                max: 0.0,
                count: 13
            }
        );
        assert_eq!(class_of(0.0, &b), 0);
        assert!(b.windows(2).all(|w| w[0].max < w[1].min), "{b:?}");
        let labels: Vec<String> = b
            .iter()
            .map(|c| class_label(c, &|x| format!("{x:.2}")))
            .collect();
        let mut unique = labels.clone();
        unique.dedup();
        assert_eq!(labels, unique);
        assert_eq!(b.iter().map(|c| c.count).sum::<usize>(), v.len());
        // All equal: one class.
        assert_eq!(class_breaks(&[3.0; 7], 5).len(), 1);
    }

    #[test]
    fn progress_is_clamped() {
        assert!(progress_bar(150.0, "#000").contains("width=\"100.0\""));
        assert!(progress_bar(-20.0, "#000").contains("width=\"0.0\""));
    }
}
