//! Why a check could not be completed. Every variant means nothing was reported: a partial
//! check is never presented as a complete one.

/// A check that could not be completed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The text is longer than the check takes; none of it was checked.
    #[error(
        "the text is {bytes} bytes, more than the {max} bytes the privacy check takes; \
         nothing was checked (split it, or check the post itself)"
    )]
    TextTooLarge {
        /// Its size.
        bytes: usize,
        /// The cap.
        max: usize,
    },
    /// The image was refused by the decoder (too large, a decompression bomb, corrupt, not
    /// an image): its check is incomplete.
    #[error("the check of image {name} is incomplete: {source}")]
    Image {
        /// The image's name as given.
        name: String,
        /// Why it was refused.
        source: claimdesk_image::ImageError,
    },
    /// The image's metadata could not be read (a corrupt EXIF block): what it holds is
    /// unknown, so its check is incomplete.
    #[error(
        "the check of image {name} is incomplete: its {block} metadata is corrupt and could \
         not be read ({detail}); remove the metadata (the clean copy) and check again"
    )]
    Metadata {
        /// The image's name as given.
        name: String,
        /// The block (`EXIF`).
        block: &'static str,
        /// What the reader found.
        detail: String,
    },
    /// The text in the image could not be read (no OCR engine, or it failed): the check of
    /// what the image shows is incomplete.
    #[error("the check of image {name} is incomplete: its text could not be read ({detail})")]
    TextUnread {
        /// The image's name as given.
        name: String,
        /// Why.
        detail: String,
    },
    /// The clean copy could not be written.
    #[error("no clean copy of image {name} could be made: {detail}")]
    Clean {
        /// The image's name as given.
        name: String,
        /// Why.
        detail: String,
    },
}

impl Error {
    /// A stable machine code for the API and the command line.
    pub fn code(&self) -> &'static str {
        match self {
            Error::TextTooLarge { .. } => "privacy_text_too_large",
            Error::Image { .. } => "privacy_image_refused",
            Error::Metadata { .. } => "privacy_metadata_unreadable",
            Error::TextUnread { .. } => "privacy_image_text_unread",
            Error::Clean { .. } => "privacy_clean_copy_failed",
        }
    }
}

/// The crate's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
