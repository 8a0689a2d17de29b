//! The search query language, PostgreSQL's `websearch_to_tsquery`: words are ANDed,
//! `"quoted words"` are a phrase, `-word` excludes, `or` between two terms makes either do.
//! Parsed here so that SQLite's FTS5 gets the same meaning in its own syntax, and so that no
//! hyphen, quote or operator a user types can become a syntax error.

/// One word, or a phrase of words in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term(pub Vec<String>);

/// Terms that must all be present, and terms that must all be absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Clause {
    /// Present.
    pub required: Vec<Term>,
    /// Absent.
    pub excluded: Vec<Term>,
}

/// Clauses of which any may match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// The alternatives; a clause with no required term is dropped (it would match almost
    /// everything).
    pub clauses: Vec<Clause>,
}

/// The words of `text`: runs of letters and digits, in any script.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Query {
    /// Reads what a user typed.
    pub fn parse(text: &str) -> Query {
        let mut clauses = Vec::new();
        let mut clause = Clause::default();
        let mut rest = text.trim_start();
        while !rest.is_empty() {
            let negated = rest.starts_with('-');
            if negated {
                rest = &rest[1..];
            }
            let (token, quoted, after) = if let Some(inner) = rest.strip_prefix('"') {
                let end = inner.find('"').unwrap_or(inner.len());
                (&inner[..end], true, inner.get(end + 1..).unwrap_or(""))
            } else {
                let end = rest.find(|c: char| c.is_whitespace() || c == '"').unwrap_or(rest.len());
                (&rest[..end], false, &rest[end..])
            };
            rest = after.trim_start();
            if !quoted && !negated && token.eq_ignore_ascii_case("or") {
                if !clause.required.is_empty() {
                    clauses.push(std::mem::take(&mut clause));
                }
                continue;
            }
            let words = words(token);
            if words.is_empty() {
                continue;
            }
            if negated {
                clause.excluded.push(Term(words));
            } else {
                clause.required.push(Term(words));
            }
        }
        if !clause.required.is_empty() {
            clauses.push(clause);
        }
        Query { clauses }
    }

    /// Whether the query has anything to look for.
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// The query in FTS5's syntax: every word quoted, so that nothing in it is an operator.
    pub fn to_fts5(&self) -> String {
        let quote = |term: &Term| format!("\"{}\"", term.0.join(" ").replace('"', "\"\""));
        self.clauses
            .iter()
            .map(|clause| {
                let required: Vec<String> = clause.required.iter().map(quote).collect();
                let mut text = format!("({})", required.join(" AND "));
                for excluded in &clause.excluded {
                    text = format!("({text} NOT {})", quote(excluded));
                }
                text
            })
            .collect::<Vec<_>>()
            .join(" OR ")
    }
}

/// Whether `text` is only words ANDed: letters and digits between spaces, no phrase, no
/// excluded word and no `or`. PostgreSQL then finds with the words' English stems every
/// record that holds the words as written (a record's index holds both), unless every word
/// is an English stop word: the English query is then empty.
pub fn only_words(text: &str) -> bool {
    text.split_whitespace()
        .all(|word| word.chars().all(char::is_alphanumeric) && !word.eq_ignore_ascii_case("or"))
}

/// Marks the databases put around a match in highlighted text: private-use characters, which
/// no record's text is expected to hold.
pub const MATCH_START: char = '\u{E000}';
/// See [`MATCH_START`].
pub const MATCH_END: char = '\u{E001}';

/// Highlighted text as segments: `(text, whether it is a match)`, in order, none empty.
pub fn segments(marked: &str) -> Vec<(String, bool)> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut matching = false;
    for c in marked.chars() {
        if c == MATCH_START || c == MATCH_END {
            if !current.is_empty() {
                segments.push((std::mem::take(&mut current), matching));
            }
            matching = c == MATCH_START;
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        segments.push((current, matching));
    }
    // Adjacent segments of the same kind (two matched words the database marked apart).
    let mut merged: Vec<(String, bool)> = Vec::new();
    for (text, matched) in segments {
        match merged.last_mut() {
            Some((last, last_matched)) if *last_matched == matched => last.push_str(&text),
            _ => merged.push((text, matched)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(words: &[&str]) -> Term {
        Term(words.iter().map(|w| (*w).to_owned()).collect())
    }

    #[test]
    fn words_phrases_exclusions_and_or() {
        let query = Query::parse(r#"foreign "radical terrorists" -Russia or CSTO"#);
        assert_eq!(
            query.clauses,
            [
                Clause {
                    required: vec![term(&["foreign"]), term(&["radical", "terrorists"])],
                    excluded: vec![term(&["Russia"])],
                },
                Clause { required: vec![term(&["CSTO"])], excluded: vec![] },
            ]
        );
        assert_eq!(
            query.to_fts5(),
            r#"(("foreign" AND "radical terrorists") NOT "Russia") OR ("CSTO")"#
        );
    }

    #[test]
    fn operators_alone_and_stray_punctuation_look_for_nothing() {
        for text in ["", "   ", "or", "- or -", "\"", "\"\"", "-foo", "AND OR NOT", "*^:()"] {
            let query = Query::parse(text);
            if text == "AND OR NOT" {
                // `AND` and `NOT` are words to websearch; only `or` is an operator.
                assert_eq!(query.clauses.len(), 2, "{text}");
                continue;
            }
            assert!(query.is_empty(), "{text:?} gave {query:?}");
        }
        // A hyphenated word is a phrase; an unclosed quote runs to the end.
        assert_eq!(Query::parse("ex-president").clauses[0].required, [term(&["ex", "president"])]);
        assert_eq!(
            Query::parse("\"shoot to kill").clauses[0].required,
            [term(&["shoot", "to", "kill"])]
        );
    }

    #[test]
    fn names_in_any_script_are_words() {
        let query = Query::parse("Тоқаев Алматы");
        assert_eq!(query.to_fts5(), r#"("Тоқаев" AND "Алматы")"#);
    }

    #[test]
    fn marked_text_becomes_segments() {
        let marked =
            format!("Riots in {MATCH_START}Almaty{MATCH_END} and {MATCH_START}Taraz{MATCH_END}");
        assert_eq!(
            segments(&marked),
            [
                ("Riots in ".to_owned(), false),
                ("Almaty".to_owned(), true),
                (" and ".to_owned(), false),
                ("Taraz".to_owned(), true),
            ]
        );
        assert_eq!(segments("plain"), [("plain".to_owned(), false)]);
    }

    #[test]
    fn only_words_are_words_between_spaces() {
        for text in ["protest Kenya", "  Жаңаөзен  oil ", "Protest 2022", "the", "", "Oregon"]
        {
            assert!(only_words(text), "{text:?}");
        }
        for text in
            ["armed -clash", "\"armed clash\"", "riot or protest", "OR", "shoot-to-kill", "a:b"]
        {
            assert!(!only_words(text), "{text:?}");
        }
    }
}
