use corpus::Listing;

/// The text embedded for a listing: title, abstract and first claim.
///
/// Capped at `max_chars` characters because the encoder's cost grows with
/// length (a 510-token window costs ~4x a 128-token one) while the opening
/// of a patent text carries its subject; the title always survives the cap.
pub fn passage_text(listing: &Listing, max_chars: usize) -> String {
    let patent = &listing.patent;
    let mut text = patent.title.trim().to_string();
    let parts = [Some(patent.abstract_text.as_str()), patent.first_claim()];
    for part in parts.into_iter().flatten() {
        let part = part.trim();
        // Abstracts often open by repeating the title; skip the echo.
        let part = part.strip_prefix(patent.title.trim()).unwrap_or(part);
        let part = part.trim_start_matches(['，', '。', ',', '.', ' ']);
        if part.is_empty() {
            continue;
        }
        text.push('\n');
        text.push_str(part);
    }
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => text[..cut].to_string(),
        None => text,
    }
}
