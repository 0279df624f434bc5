//! Character-grid drawings shared by the TUI and the text output: scatter plots and cart-pole
//! frames.

use eshikaku_kernels::trace::Scatter;

/// A scatter plot as a `rows × cols` grid; each cell is empty or holds the class of the last
/// point that fell in it (`u16::MAX` for points without a class). The y axis points up.
pub fn scatter_grid(sc: &Scatter, cols: usize, rows: usize) -> Vec<Vec<Option<u16>>> {
    let mut grid = vec![vec![None; cols]; rows];
    if cols == 0 || rows == 0 {
        return grid;
    }
    let finite: Vec<(usize, [f32; 2])> = sc
        .points
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, p)| p[0].is_finite() && p[1].is_finite())
        .collect();
    let (mut x0, mut x1, mut y0, mut y1) = (
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
    );
    for (_, p) in &finite {
        x0 = x0.min(p[0]);
        x1 = x1.max(p[0]);
        y0 = y0.min(p[1]);
        y1 = y1.max(p[1]);
    }
    let span = |a: f32, b: f32| if b > a { b - a } else { 1.0 };
    for (i, p) in finite {
        let c = (((p[0] - x0) / span(x0, x1)) * (cols - 1) as f32).round() as usize;
        let r = (((y1 - p[1]) / span(y0, y1)) * (rows - 1) as f32).round() as usize;
        grid[r.min(rows - 1)][c.min(cols - 1)] =
            Some(sc.classes.get(i).copied().unwrap_or(u16::MAX));
    }
    grid
}

/// The track half-width of CartPole-v1 in metres (episodes end beyond it).
const TRACK: f32 = 2.4;

/// One cart-pole frame (`x` in metres, `theta` in radians, 0 = upright) drawn in `rows × cols`
/// characters: the pole, the cart and the track.
pub fn cartpole_frame(x: f32, theta: f32, cols: usize, rows: usize) -> Vec<String> {
    if cols < 8 || rows < 4 {
        return vec![format!("x = {x:.2}, θ = {:.1}°", theta.to_degrees())];
    }
    let mut g = vec![vec![' '; cols]; rows];
    let track = rows - 1;
    g[track].iter_mut().for_each(|c| *c = '─');
    let cx =
        (((x + TRACK) / (2.0 * TRACK)).clamp(0.0, 1.0) * (cols - 4) as f32).round() as usize + 2;
    let cart = track - 1;
    for dc in 0..3 {
        g[cart][cx + dc - 1] = '█';
    }
    // Pole from the top of the cart; terminal cells are about twice as tall as wide.
    let len = (rows - 2) as f32;
    let steps = (len * 4.0) as usize;
    for s in 1..=steps {
        let t = s as f32 / steps as f32 * len;
        // Rounded cell coordinates, checked after rounding (47.6 rounds to column 48).
        let c = (cx as f32 + 2.0 * t * theta.sin()).round();
        let r = (cart as f32 - t * theta.cos()).round();
        if r < 0.0 || c < 0.0 || c >= cols as f32 || r as usize >= cart {
            continue;
        }
        let ch = if theta.abs() < 0.2 {
            '│'
        } else if theta > 0.0 {
            '╱'
        } else {
            '╲'
        };
        g[r as usize][c as usize] = ch;
    }
    g.into_iter().map(|row| row.into_iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scatter_puts_extremes_in_the_corners() {
        let sc = Scatter {
            name: "s".into(),
            points: vec![[0.0, 0.0], [1.0, 1.0], [f32::NAN, 0.0]],
            classes: vec![3, 7, 1],
        };
        let g = scatter_grid(&sc, 5, 3);
        assert_eq!(g[2][0], Some(3), "lowest x, lowest y: bottom left");
        assert_eq!(g[0][4], Some(7), "highest x, highest y: top right");
        assert_eq!(
            g.iter().flatten().filter(|c| c.is_some()).count(),
            2,
            "NaN is skipped"
        );
        assert!(scatter_grid(&sc, 0, 0).is_empty());
    }

    #[test]
    fn upright_pole_is_vertical_and_leaning_pole_leans() {
        let up = cartpole_frame(0.0, 0.0, 21, 8);
        assert!(up[0..6].iter().any(|r| r.contains('│')));
        assert!(up[6].contains('█'));
        let right = cartpole_frame(0.0, 0.5, 21, 8);
        assert!(right.iter().any(|r| r.contains('╱')));
        // A pole falling off the right edge of the picture is cut there, never out of bounds.
        for theta in [1.2, 1.5, -1.5] {
            for x in [2.4, 2.6, -2.6] {
                assert_eq!(cartpole_frame(x, theta, 48, 8).len(), 8);
            }
        }
        let far_left = cartpole_frame(-2.4, 0.0, 21, 8);
        assert!(far_left[6].starts_with(" ███"), "{far_left:?}");
        assert_eq!(
            cartpole_frame(0.0, 0.0, 3, 2).len(),
            1,
            "tiny area: a text line"
        );
    }
}
