//! Streaming box-filter downscaling: source rows go in one at a time, in order, and only one
//! output row of accumulators is held. Every frame source (decoded JPEG, PNG rows, camera
//! planes) feeds this, so no input is ever held as a second full-size RGB copy.

/// Largest side of the working image every model reads from.
pub const WORKING_LONG_SIDE: u32 = 1024;

/// The working size for a source of `width` x `height`: unchanged when it already fits within
/// [`WORKING_LONG_SIDE`], else scaled down to fit, keeping the aspect ratio.
pub fn working_size(width: u32, height: u32) -> (u32, u32) {
    fit_within(width, height, WORKING_LONG_SIDE)
}

/// `width` x `height` scaled down (never up) so that its longer side is at most `long_side`.
pub(crate) fn fit_within(width: u32, height: u32, long_side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= long_side {
        return (width, height);
    }
    let scale = |v: u32| ((u64::from(v) * u64::from(long_side) + u64::from(long) / 2) / u64::from(long)).max(1) as u32;
    (scale(width), scale(height))
}

/// Averages every source pixel into the output pixel whose box it falls in.
///
/// Source pixel `(x, y)` lands in output pixel `(x * dst_w / src_w, y * dst_h / src_h)`; each
/// output pixel is the rounded mean of the source pixels that land in it. With `dst == src`
/// it copies.
pub(crate) struct BoxDownscaler {
    src_w: u32,
    src_h: u32,
    dst_w: u32,
    dst_h: u32,
    /// Output column of every source column.
    col_of: Vec<u32>,
    /// Source columns that land in each output column.
    col_count: Vec<u32>,
    /// Per-channel sums of the output row being built.
    acc: Vec<u32>,
    rows_in_acc: u32,
    /// The output row being accumulated.
    dst_row: u32,
    next_src_row: u32,
    out: Vec<u8>,
}

impl BoxDownscaler {
    /// A downscaler from `src_w` x `src_h` to `dst_w` x `dst_h`, which must be no larger and
    /// non-zero (callers derive them from [`fit_within`]).
    pub(crate) fn new(src_w: u32, src_h: u32, dst_w: u32, dst_h: u32) -> Self {
        debug_assert!(dst_w >= 1 && dst_h >= 1 && dst_w <= src_w && dst_h <= src_h);
        let col_of: Vec<u32> =
            (0..src_w).map(|x| (u64::from(x) * u64::from(dst_w) / u64::from(src_w)) as u32).collect();
        let mut col_count = vec![0u32; dst_w as usize];
        for &c in &col_of {
            col_count[c as usize] += 1;
        }
        Self {
            src_w,
            src_h,
            dst_w,
            dst_h,
            col_of,
            col_count,
            acc: vec![0; dst_w as usize * 3],
            rows_in_acc: 0,
            dst_row: 0,
            next_src_row: 0,
            out: Vec::with_capacity(dst_w as usize * dst_h as usize * 3),
        }
    }

    /// Adds the next source row, `src_w` RGB pixels (`3 * src_w` bytes).
    pub(crate) fn push_row(&mut self, rgb: &[u8]) {
        debug_assert_eq!(rgb.len(), self.src_w as usize * 3);
        debug_assert!(self.next_src_row < self.src_h);
        if (self.dst_w, self.dst_h) == (self.src_w, self.src_h) {
            // a source that already fits (most photos under 1024 px, a 4000 px JPEG decoded at
            // 1/4 scale): every box is one pixel, so the row is the output row
            self.out.extend_from_slice(rgb);
            self.next_src_row += 1;
            return;
        }
        let target = (u64::from(self.next_src_row) * u64::from(self.dst_h) / u64::from(self.src_h)) as u32;
        if target != self.dst_row {
            self.flush_row();
            self.dst_row = target;
        }
        for (px, &c) in rgb.chunks_exact(3).zip(&self.col_of) {
            let a = &mut self.acc[c as usize * 3..c as usize * 3 + 3];
            a[0] += u32::from(px[0]);
            a[1] += u32::from(px[1]);
            a[2] += u32::from(px[2]);
        }
        self.rows_in_acc += 1;
        self.next_src_row += 1;
    }

    fn flush_row(&mut self) {
        if self.rows_in_acc == 0 {
            return;
        }
        for (x, &cols) in self.col_count.iter().enumerate() {
            let n = cols * self.rows_in_acc;
            for ch in 0..3 {
                let sum = &mut self.acc[x * 3 + ch];
                self.out.push(((*sum + n / 2) / n) as u8);
                *sum = 0;
            }
        }
        self.rows_in_acc = 0;
    }

    /// Rows pushed so far.
    pub(crate) fn rows_pushed(&self) -> u32 {
        self.next_src_row
    }

    /// The output image, `dst_w * dst_h * 3` bytes of RGB. Every source row must have been pushed.
    pub(crate) fn finish(mut self) -> (u32, u32, Vec<u8>) {
        debug_assert_eq!(self.next_src_row, self.src_h);
        self.flush_row();
        debug_assert_eq!(self.out.len(), self.dst_w as usize * self.dst_h as usize * 3);
        (self.dst_w, self.dst_h, self.out)
    }
}

/// Box-filter resize of a whole RGB image to exactly `dst_w` x `dst_h` (each side no larger
/// than the source's), as the models' preprocessing does.
pub(crate) fn downscale_rgb(rgb: &[u8], w: u32, h: u32, dst_w: u32, dst_h: u32) -> Vec<u8> {
    let mut ds = BoxDownscaler::new(w, h, dst_w.min(w).max(1), dst_h.min(h).max(1));
    for row in rgb.chunks_exact(w as usize * 3) {
        ds.push_row(row);
    }
    ds.finish().2
}

/// The frame box-filtered and stretched to a `side` x `side` RGB square (no letterbox), the
/// form the models take; a frame smaller than `side` on an axis is stretched up by nearest
/// neighbour.
pub(crate) fn square_rgb(frame: &crate::frame::Frame, side: u32) -> Vec<u8> {
    let small = downscale_rgb(frame.rgb(), frame.width(), frame.height(), side, side);
    let (sw, sh) = (frame.width().min(side) as usize, frame.height().min(side) as usize);
    let side = side as usize;
    if (sw, sh) == (side, side) {
        return small;
    }
    let mut out = vec![0u8; 3 * side * side];
    for y in 0..side {
        let sy = y * sh / side;
        for x in 0..side {
            let sx = x * sw / side;
            out[(y * side + x) * 3..(y * side + x) * 3 + 3]
                .copy_from_slice(&small[(sy * sw + sx) * 3..(sy * sw + sx) * 3 + 3]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_size_keeps_small_and_fits_large() {
        assert_eq!(working_size(640, 480), (640, 480));
        assert_eq!(working_size(4000, 3000), (1024, 768));
        assert_eq!(working_size(1080, 1920), (576, 1024));
        assert_eq!(working_size(50_000, 1), (1024, 1));
    }

    #[test]
    fn identity_copies() {
        let rgb: Vec<u8> = (0..4 * 3 * 3).map(|v| v as u8).collect();
        assert_eq!(downscale_rgb(&rgb, 4, 3, 4, 3), rgb);
    }

    #[test]
    fn halving_averages_two_by_two_blocks() {
        // 4x2 image: left block values 10/20/30/40, right block all 200
        #[rustfmt::skip]
        let g = [10u8, 20, 200, 200,
                 30, 40, 200, 200];
        let rgb: Vec<u8> = g.iter().flat_map(|&v| [v, v, v]).collect();
        let out = downscale_rgb(&rgb, 4, 2, 2, 1);
        assert_eq!(out, vec![25, 25, 25, 200, 200, 200]);
    }

    #[test]
    fn uneven_ratio_covers_every_pixel_once() {
        // 5 columns into 2: columns 0,1,2 -> 0 and 3,4 -> 1
        let g = [0u8, 0, 0, 100, 100];
        let rgb: Vec<u8> = g.iter().flat_map(|&v| [v, 0, 255]).collect();
        let out = downscale_rgb(&rgb, 5, 1, 2, 1);
        assert_eq!(out, vec![0, 0, 255, 100, 0, 255]);
    }
}
