//! Images fetched by URL: a feed entry's enclosures, an article's main image, the `images`
//! of an item posted to the API. One path for all of them, so the same guard applies: the
//! client's address rules on every hop, its body cap, then the image size cap and the
//! answer's `Content-Type`. The bytes are not decoded here (the reader of images checks
//! their signature and decodes them within its limits).

use url::Url;

use super::client::{Conditional, GuardedClient};
use super::error::FetchError;

/// An image fetched by URL, not yet decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedImage {
    /// The URL as given.
    pub url: String,
    /// `Content-Type` of the answer, as sent.
    pub content_type: Option<String>,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Why an image URL gave no image. Each message starts with the URL as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageFetchError {
    /// The URL itself was refused (scheme, address rules) or could not be fetched.
    #[error("{url}: not fetched: {error}")]
    Fetch {
        /// The URL as given.
        url: String,
        /// Why.
        error: FetchError,
    },
    /// The URL redirected, and where it led was refused or could not be fetched.
    #[error("{url}: not fetched: it redirected to {to}, {error}")]
    Redirect {
        /// The URL as given.
        url: String,
        /// The redirect target that failed.
        to: String,
        /// Why that target failed.
        error: FetchError,
    },
    /// The answer says it is something other than an image.
    #[error("{url}: not an image: the server sent it as {content_type}")]
    NotAnImage {
        /// The URL as given.
        url: String,
        /// The `Content-Type` sent.
        content_type: String,
    },
    /// The image is larger than the desk takes.
    #[error("{url}: {bytes} bytes, more than the {limit} an image may have")]
    TooLarge {
        /// The URL as given.
        url: String,
        /// Its size.
        bytes: u64,
        /// The most taken.
        limit: u64,
    },
}

impl ImageFetchError {
    /// The URL as given.
    pub fn url(&self) -> &str {
        match self {
            ImageFetchError::Fetch { url, .. }
            | ImageFetchError::Redirect { url, .. }
            | ImageFetchError::NotAnImage { url, .. }
            | ImageFetchError::TooLarge { url, .. } => url,
        }
    }
}

/// Whether a `Content-Type` may be an image's: `image/*`, or a generic binary type (many
/// servers send those for any file); the bytes decide later.
fn may_be_image(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence.is_empty()
        || essence.starts_with("image/")
        || essence == "application/octet-stream"
        || essence == "binary/octet-stream"
}

/// GETs the image at `url` through `client` (its address rules on every redirect hop, its
/// body cap and time cap), refusing an answer larger than `max_bytes` or sent as something
/// other than an image.
pub async fn fetch_image(
    client: &GuardedClient,
    url: &str,
    max_bytes: u64,
) -> Result<FetchedImage, ImageFetchError> {
    let fetched = match client.get(url, &Conditional::default()).await {
        Ok(f) => f,
        Err(error) => return Err(fetch_error(url, error)),
    };
    if let Some(ct) = &fetched.content_type
        && !may_be_image(ct)
    {
        return Err(ImageFetchError::NotAnImage {
            url: url.to_string(),
            content_type: ct.clone(),
        });
    }
    let bytes = fetched.body.len() as u64;
    if bytes > max_bytes {
        return Err(ImageFetchError::TooLarge {
            url: url.to_string(),
            bytes,
            limit: max_bytes,
        });
    }
    Ok(FetchedImage {
        url: url.to_string(),
        content_type: fetched.content_type,
        bytes: fetched.body,
    })
}

/// A failed fetch of `url`, said as a redirect's when it was a later hop that failed.
fn fetch_error(url: &str, error: FetchError) -> ImageFetchError {
    let asked = Url::parse(url.trim()).ok();
    let hop = error.url().and_then(|u| Url::parse(u).ok());
    match (asked, hop) {
        (Some(asked), Some(hop)) if asked != hop => ImageFetchError::Redirect {
            url: url.to_string(),
            to: hop.to_string(),
            error,
        },
        _ => ImageFetchError::Fetch {
            url: url.to_string(),
            error,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_types_and_binary_pass_other_types_do_not() {
        for ok in [
            "image/png",
            "IMAGE/JPEG; q=1",
            "application/octet-stream",
            "",
        ] {
            assert!(may_be_image(ok), "{ok}");
        }
        for no in ["text/html; charset=utf-8", "application/json", "video/mp4"] {
            assert!(!may_be_image(no), "{no}");
        }
    }

    #[test]
    fn a_failure_on_a_later_hop_is_the_redirects() {
        let blocked = |at: &str| FetchError::Blocked {
            url: at.to_string(),
            host: "127.0.0.1".into(),
            addr: "127.0.0.1".parse().unwrap(),
            port: 8080,
            reason: super::super::BlockReason::Loopback,
        };
        let e = fetch_error(
            "https://img.example/a.png",
            blocked("http://127.0.0.1:8080/"),
        );
        assert!(
            matches!(&e, ImageFetchError::Redirect { to, .. } if to == "http://127.0.0.1:8080/"),
            "{e:?}"
        );
        assert!(
            e.to_string().starts_with(
                "https://img.example/a.png: not fetched: it redirected to http://127.0.0.1:8080/, refused"
            ),
            "{e}"
        );
        let e = fetch_error("http://127.0.0.1:8080", blocked("http://127.0.0.1:8080/"));
        assert!(matches!(e, ImageFetchError::Fetch { .. }), "{e:?}");
    }
}
