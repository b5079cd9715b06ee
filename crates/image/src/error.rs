//! Why an image was refused. Every variant is something a sender can cause and fix, worded
//! for them: the desk shows it beside the item, whose text is kept.

/// An image that was not accepted, and why.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ImageError {
    /// No bytes at all.
    #[error("the image is empty (0 bytes)")]
    Empty,
    /// Larger than the configured size cap; nothing was decoded.
    #[error("the image is {bytes} bytes, more than the {max} bytes accepted")]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The cap (`[images] max_bytes`).
        max: usize,
    },
    /// An SVG document: it can carry scripts and is never rendered as an image.
    #[error(
        "SVG is not accepted as an image (it can carry scripts); send a PNG, JPEG, GIF or WebP \
         screenshot instead"
    )]
    Svg,
    /// The bytes are not a format claimdesk reads.
    #[error("{found}, not an image claimdesk reads (PNG, JPEG, GIF or WebP)")]
    Unsupported {
        /// What the bytes look like ("an HTML document", "a PDF", "unrecognized bytes").
        found: &'static str,
    },
    /// Wider, taller or with more pixels than the limits; refused before decoding, so a
    /// decompression bomb costs nothing.
    #[error(
        "the {format} image is {width} × {height} pixels, more than the {max_side} pixels a \
         side or {max_pixels} pixels in all accepted"
    )]
    TooBig {
        /// The format its bytes are in.
        format: &'static str,
        /// Width its header declares.
        width: u32,
        /// Height its header declares.
        height: u32,
        /// The longest side accepted.
        max_side: u32,
        /// The most pixels accepted.
        max_pixels: u64,
    },
    /// An animated GIF with more frames than accepted (only the first is ever read).
    #[error("the GIF has {frames} or more frames, more than the {max} accepted")]
    TooManyFrames {
        /// Frames counted (counting stops just past the limit).
        frames: usize,
        /// The limit.
        max: usize,
    },
    /// The file is cut short or corrupt.
    #[error("the {format} image is truncated or corrupt: {detail}")]
    Malformed {
        /// The format its bytes start as.
        format: &'static str,
        /// What the decoder found.
        detail: String,
    },
    /// The declared name or content type names a format the bytes are not, and the bytes are
    /// not an image either (a script or page dressed as a picture).
    #[error("{name} is not {claimed}: its bytes are {found}")]
    Disguised {
        /// The file name or content type as sent.
        name: String,
        /// The format the name claims ("a PNG image").
        claimed: &'static str,
        /// What the bytes are.
        found: &'static str,
    },
}

impl ImageError {
    /// A stable machine code for the API and the log (`image_too_big`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            ImageError::Empty => "image_empty",
            ImageError::TooLarge { .. } => "image_too_large",
            ImageError::Svg => "image_svg_refused",
            ImageError::Unsupported { .. } => "image_unsupported",
            ImageError::TooBig { .. } => "image_too_big",
            ImageError::TooManyFrames { .. } => "image_too_many_frames",
            ImageError::Malformed { .. } => "image_malformed",
            ImageError::Disguised { .. } => "image_disguised",
        }
    }
}

/// The crate's result.
pub type Result<T, E = ImageError> = std::result::Result<T, E>;
