//! Turning images upright: EXIF orientation for photos, rotation degrees for camera frames.

/// How the stored pixels must be transformed to show the image upright, numbered as the
/// EXIF `Orientation` tag (1 to 8) numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Orientation {
    /// 1: already upright.
    #[default]
    Normal,
    /// 2: mirrored left to right.
    MirrorHorizontal,
    /// 3: turned by 180°.
    Rotate180,
    /// 4: mirrored top to bottom.
    MirrorVertical,
    /// 5: mirrored along the main diagonal.
    Transpose,
    /// 6: must be turned 90° clockwise.
    Rotate90,
    /// 7: mirrored along the anti-diagonal.
    Transverse,
    /// 8: must be turned 90° counter-clockwise.
    Rotate270,
}

impl Orientation {
    /// The orientation for an EXIF `Orientation` value; values outside 1..=8 (which broken
    /// writers produce) are read as upright.
    pub fn from_exif(value: u32) -> Self {
        match value {
            2 => Self::MirrorHorizontal,
            3 => Self::Rotate180,
            4 => Self::MirrorVertical,
            5 => Self::Transpose,
            6 => Self::Rotate90,
            7 => Self::Transverse,
            8 => Self::Rotate270,
            _ => Self::Normal,
        }
    }

    /// The orientation for a camera frame's clockwise rotation (CameraX `rotationDegrees`):
    /// 0, 90, 180 or 270, or `None` for any other value.
    pub fn from_degrees(degrees: i32) -> Option<Self> {
        match degrees.rem_euclid(360) {
            0 => Some(Self::Normal),
            90 => Some(Self::Rotate90),
            180 => Some(Self::Rotate180),
            270 => Some(Self::Rotate270),
            _ => None,
        }
    }

    /// Reads the orientation from EXIF data: a TIFF structure, with or without the
    /// `Exif\0\0` prefix of a JPEG APP1 segment. Unreadable EXIF is read as upright.
    pub fn from_exif_data(data: &[u8]) -> Self {
        let tiff = data.strip_prefix(b"Exif\0\0").unwrap_or(data);
        match exif::Reader::new().read_raw(tiff.to_vec()) {
            Ok(fields) => fields
                .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
                .and_then(|f| f.value.get_uint(0))
                .map_or(Self::Normal, Self::from_exif),
            Err(e) => {
                log::debug!("ignoring unreadable exif data: {e}");
                Self::Normal
            }
        }
    }

    /// Whether applying it swaps width and height.
    pub fn swaps_axes(self) -> bool {
        matches!(self, Self::Transpose | Self::Rotate90 | Self::Transverse | Self::Rotate270)
    }

    /// Applies it to an RGB image of `w` x `h`, returning the upright image and its size.
    pub(crate) fn apply(self, rgb: Vec<u8>, w: u32, h: u32) -> (u32, u32, Vec<u8>) {
        if self == Self::Normal {
            return (w, h, rgb);
        }
        let (ow, oh) = if self.swaps_axes() { (h, w) } else { (w, h) };
        let (w, h) = (w as usize, h as usize);
        let mut out = Vec::with_capacity(rgb.len());
        for oy in 0..oh as usize {
            for ox in 0..ow as usize {
                // the source pixel that shows at (ox, oy) once upright
                let (sx, sy) = match self {
                    Self::Normal => (ox, oy),
                    Self::MirrorHorizontal => (w - 1 - ox, oy),
                    Self::Rotate180 => (w - 1 - ox, h - 1 - oy),
                    Self::MirrorVertical => (ox, h - 1 - oy),
                    Self::Transpose => (oy, ox),
                    Self::Rotate90 => (oy, h - 1 - ox),
                    Self::Transverse => (w - 1 - oy, h - 1 - ox),
                    Self::Rotate270 => (w - 1 - oy, ox),
                };
                let i = (sy * w + sx) * 3;
                out.extend_from_slice(&rgb[i..i + 3]);
            }
        }
        (ow, oh, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3x2 image whose pixels are numbered 1..=6 in reading order:
    /// ```text
    /// 1 2 3
    /// 4 5 6
    /// ```
    fn numbered() -> Vec<u8> {
        (1..=6u8).flat_map(|v| [v, v, v]).collect()
    }

    fn apply(o: Orientation) -> (u32, u32, Vec<u8>) {
        let (w, h, rgb) = o.apply(numbered(), 3, 2);
        (w, h, rgb.chunks(3).map(|p| p[0]).collect())
    }

    #[test]
    fn every_exif_orientation_matches_its_definition() {
        assert_eq!(apply(Orientation::Normal), (3, 2, vec![1, 2, 3, 4, 5, 6]));
        assert_eq!(apply(Orientation::MirrorHorizontal), (3, 2, vec![3, 2, 1, 6, 5, 4]));
        assert_eq!(apply(Orientation::Rotate180), (3, 2, vec![6, 5, 4, 3, 2, 1]));
        assert_eq!(apply(Orientation::MirrorVertical), (3, 2, vec![4, 5, 6, 1, 2, 3]));
        assert_eq!(apply(Orientation::Transpose), (2, 3, vec![1, 4, 2, 5, 3, 6]));
        // turned clockwise: the left column (1 over 4) becomes the top row, read 4 then 1
        assert_eq!(apply(Orientation::Rotate90), (2, 3, vec![4, 1, 5, 2, 6, 3]));
        assert_eq!(apply(Orientation::Transverse), (2, 3, vec![6, 3, 5, 2, 4, 1]));
        assert_eq!(apply(Orientation::Rotate270), (2, 3, vec![3, 6, 2, 5, 1, 4]));
    }

    #[test]
    fn exif_numbers_and_degrees() {
        assert_eq!(Orientation::from_exif(6), Orientation::Rotate90);
        assert_eq!(Orientation::from_exif(0), Orientation::Normal);
        assert_eq!(Orientation::from_exif(99), Orientation::Normal);
        assert_eq!(Orientation::from_degrees(-90), Some(Orientation::Rotate270));
        assert_eq!(Orientation::from_degrees(450), Some(Orientation::Rotate90));
        assert_eq!(Orientation::from_degrees(45), None);
    }

    #[test]
    fn reads_orientation_from_tiff_bytes() {
        // little-endian TIFF with one IFD entry: Orientation (0x0112), SHORT, count 1, value 8
        let tiff = [
            b'I', b'I', 42, 0, 8, 0, 0, 0, // header, IFD at 8
            1, 0, // one entry
            0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0, // orientation = 8
            0, 0, 0, 0, // no next IFD
        ];
        assert_eq!(Orientation::from_exif_data(&tiff), Orientation::Rotate270);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        assert_eq!(Orientation::from_exif_data(&app1), Orientation::Rotate270);
        assert_eq!(Orientation::from_exif_data(b"garbage"), Orientation::Normal);
    }
}
