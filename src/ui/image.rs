//! Images and heat maps drawn with half blocks (`▀`: top pixel as foreground, bottom as
//! background), never below one pixel per cell half: an image wider than the pane is cut at
//! the edge (1:1) or, in fit mode (`z`), shrunk by averaging blocks. A colour legend follows
//! heat maps; under `NO_COLOR` pixels are ASCII shades.

use super::theme;
use super::values::ViewOpts;
use eshikaku_kernels::trace::{Image, Palette};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};

/// ASCII shades from dark to light, for `NO_COLOR`.
const SHADES: &[u8] = b" .:-=+*#%@";

/// The lines of `img` in `width` columns.
pub fn image(img: &Image, width: usize, opts: &ViewOpts, out: &mut Vec<Line<'static>>) {
    let room = width.saturating_sub(2).max(1);
    let cut = !opts.fit_images && img.width > room;
    out.push(super::values::styled(crate::trace_view::image_title(img)));
    if cut {
        out.push(Line::styled(
            format!(
                "  {}–{}/{} px — </> 移動、z 縮小",
                opts.hscroll.min(img.width - room),
                opts.hscroll.min(img.width - room) + room,
                img.width
            ),
            theme::warn(),
        ));
    } else if img.width > room {
        out.push(Line::styled("  縮小表示 — z で 1:1", theme::warn()));
    }
    if img.width == 0 || img.height == 0 || img.data.len() < img.width * img.height {
        return;
    }
    let shrunk;
    let img = if opts.fit_images && img.width > room {
        shrunk = shrink(img, img.width.div_ceil(room));
        &shrunk
    } else {
        img
    };
    let range = Range::of(img);
    let scale = (room / img.width).clamp(1, 4).min((48 / img.height).max(1));
    // Cut 1:1: the window starts `hscroll` pixels in (`<` / `>`), never past the last page.
    let skip = if cut {
        opts.hscroll.min(img.width - room)
    } else {
        0
    };
    let cols = (img.width * scale - skip).min(room);
    let rows = img.height * scale;
    let pixel = |r: usize, c: usize| img.data[(r / scale) * img.width + (c + skip) / scale];
    if opts.no_color {
        // One character per pixel row (no half blocks without colour).
        for r in 0..rows {
            let line: String = (0..cols).map(|c| shade(range.unit(pixel(r, c)))).collect();
            out.push(Line::raw(format!("  {line}")));
        }
    } else {
        for r in (0..rows).step_by(2) {
            let mut spans = vec![Span::raw("  ")];
            for c in 0..cols {
                let top = range.color(img.palette, pixel(r, c));
                let bottom = if r + 1 < rows {
                    range.color(img.palette, pixel(r + 1, c))
                } else {
                    Color::Reset
                };
                spans.push(Span::styled("▀", Style::new().fg(top).bg(bottom)));
            }
            out.push(Line::from(spans));
        }
    }
    if matches!(img.palette, Palette::Heat | Palette::Diverging) {
        out.push(legend(img.palette, &range, room.min(32), opts.no_color));
    }
}

/// The value range of an image's finite pixels.
struct Range {
    lo: f32,
    hi: f32,
    abs_max: f32,
}

impl Range {
    fn of(img: &Image) -> Self {
        let (lo, hi) = img
            .data
            .iter()
            .filter(|v| v.is_finite())
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let abs_max = lo.abs().max(hi.abs()).max(f32::MIN_POSITIVE);
        Self { lo, hi, abs_max }
    }

    /// `v` mapped to 0..=1 over the range.
    fn unit(&self, v: f32) -> f32 {
        if self.hi > self.lo {
            (v - self.lo) / (self.hi - self.lo)
        } else {
            0.5
        }
    }

    fn color(&self, palette: Palette, v: f32) -> Color {
        match palette {
            Palette::Gray => theme::gray(self.unit(v)),
            Palette::Heat => theme::heat(self.unit(v)),
            Palette::Diverging => theme::diverging(v / self.abs_max),
            Palette::Categorical => theme::category(v.max(0.0) as usize),
        }
    }
}

/// The ASCII shade of `t` in 0..=1.
fn shade(t: f32) -> char {
    let i = (t.clamp(0.0, 1.0) * (SHADES.len() - 1) as f32).round() as usize;
    char::from(SHADES[i.min(SHADES.len() - 1)])
}

/// `min ▀▀▀…▀▀▀ max`: the palette from the lowest to the highest value.
fn legend(palette: Palette, range: &Range, n: usize, no_color: bool) -> Line<'static> {
    let (lo, hi) = match palette {
        Palette::Diverging => (-range.abs_max, range.abs_max),
        _ => (range.lo, range.hi),
    };
    let mut spans = vec![Span::styled(
        format!("  {} ", crate::format::num(f64::from(lo))),
        theme::muted(),
    )];
    let n = n.max(2);
    for i in 0..n {
        let v = lo + (hi - lo) * i as f32 / (n - 1) as f32;
        if no_color {
            spans.push(Span::raw(shade(range.unit(v)).to_string()));
        } else {
            spans.push(Span::styled("█", Style::new().fg(range.color(palette, v))));
        }
    }
    spans.push(Span::styled(
        format!(" {}", crate::format::num(f64::from(hi))),
        theme::muted(),
    ));
    Line::from(spans)
}

/// `img` reduced by `k` in both directions: the mean of each `k × k` block (for a categorical
/// image, the block's top-left value, since class ids must not be averaged).
fn shrink(img: &Image, k: usize) -> Image {
    let (w, h) = (img.width.div_ceil(k), img.height.div_ceil(k));
    let mut data = Vec::with_capacity(w * h);
    for by in 0..h {
        for bx in 0..w {
            let (mut sum, mut n) = (0.0f32, 0u32);
            for y in by * k..((by + 1) * k).min(img.height) {
                for x in bx * k..((bx + 1) * k).min(img.width) {
                    sum += img.data[y * img.width + x];
                    n += 1;
                }
            }
            data.push(match img.palette {
                Palette::Categorical => img.data[by * k * img.width + bx * k],
                _ => sum / n.max(1) as f32,
            });
        }
    }
    Image {
        name: img.name.clone(),
        width: w,
        height: h,
        palette: img.palette,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img(width: usize) -> Image {
        Image {
            name: "grid".into(),
            width,
            height: 4,
            palette: Palette::Gray,
            data: (0..width * 4).map(|i| (i % width) as f32).collect(),
        }
    }

    #[test]
    fn wide_images_are_cut_1to1_or_shrunk_in_fit_mode() {
        let mut out = Vec::new();
        image(&img(70), 40, &ViewOpts::default(), &mut out);
        // 1:1: 38 pixel columns plus the 2-column indent; never half a pixel per cell.
        assert!(out[2..].iter().all(|l| l.width() == 40), "{out:?}");
        let mut out = Vec::new();
        let fit = ViewOpts {
            fit_images: true,
            ..ViewOpts::default()
        };
        image(&img(70), 40, &fit, &mut out);
        assert!(out[2..].iter().all(|l| l.width() == 37));
        let small = shrink(&img(70), 2);
        assert_eq!((small.width, small.height), (35, 2));
        assert_eq!(small.data[0], 0.5);
    }

    #[test]
    fn no_color_draws_ascii_shades() {
        let mut out = Vec::new();
        let opts = ViewOpts {
            no_color: true,
            ..ViewOpts::default()
        };
        image(&img(8), 40, &opts, &mut out);
        let text: String = out[1].spans.iter().map(|s| s.content.to_string()).collect();
        assert!(text.contains('@') && text.contains(' '), "{text}");
    }
}
