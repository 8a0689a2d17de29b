//! Case-insensitive matching that behaves the same on PostgreSQL and SQLite.
//!
//! SQLite's `lower()` and `LIKE` fold ASCII only, so names such as "Тоқаев" would match on one
//! backend and not the other. Text that can be searched is stored a second time, folded here
//! with full Unicode rules, and search patterns are folded the same way.

/// The form stored in `*_folded` columns and used for matching.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// A `LIKE` pattern (escape character `\`) that matches `needle` anywhere, case-insensitively.
pub fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in fold(needle).chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_cyrillic_and_escapes_wildcards() {
        assert_eq!(fold("ТОҚАЕВ"), "тоқаев");
        assert_eq!(contains_pattern("50%_A\\"), "%50\\%\\_a\\\\%");
    }
}
