//! QR codes drawn as SVG: a result code shown to the facilitator's camera,
//! the room's link on the projector.
//!
//! ```
//! let svg = firedrill::workshop::qr::svg("https://example.org/?pack=triage-101", "Link").unwrap();
//! assert!(svg.starts_with("<svg") && svg.contains("<title>Link</title>"));
//! ```

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The QR code of `text` as an SVG element with a `<title>` (its accessible
/// name) and `role="img"`; `None` when the text is too long for a QR code
/// (about 2,900 bytes at the lowest error correction).
pub fn svg(text: &str, title: &str) -> Option<String> {
    let level = if text.len() > 1200 {
        EcLevel::L
    } else {
        EcLevel::M
    };
    let code = QrCode::with_error_correction_level(text.as_bytes(), level).ok()?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // The renderer writes an XML declaration and a bare <svg>: keep the
    // element, make it scale, and name it.
    let start = image.find("<svg")?;
    let element = &image[start..];
    let title = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    Some(
        element
            .replacen(
                "<svg",
                &format!(
                    "<svg role=\"img\" aria-label=\"{}\"",
                    title.replace('"', "&quot;")
                ),
                1,
            )
            .replacen('>', &format!("><title>{title}</title>"), 1),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_texts_have_no_code() {
        assert!(super::svg(&"x".repeat(2000), "t").is_some());
        assert!(super::svg(&"x".repeat(4000), "t").is_none());
    }
}
