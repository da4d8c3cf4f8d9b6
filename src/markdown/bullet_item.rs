//! A bullet item that holds a code block is something to do: it becomes a checklist item when
//! its block starts. Its words before the block are read again from the source then, since a
//! plain bullet's text is not collected as it goes (most bullets are never items).

use pulldown_cmark::{Event, Parser};

use super::classify::REFERENCE_LANGS;

/// Whether a block with this info string makes the bullet holding it something to do: not a
/// sample of output, a diagram, data, or a CloudWatch lookup (those are read, not done).
pub fn makes_an_item(info: &str) -> bool {
    let lang = info
        .trim()
        .split(|c: char| c.is_whitespace() || c == '{' || c == ',')
        .next()
        .unwrap_or("");
    !lang.eq_ignore_ascii_case("cloudwatch")
        && !REFERENCE_LANGS.iter().any(|l| lang.eq_ignore_ascii_case(l))
}

/// The inline text of the Markdown `source` (an item from its marker up to its code block), as
/// an item's text is collected: text and code spans, a space for each line end.
pub fn text_before_block(source: &str) -> String {
    let mut text = String::new();
    for event in Parser::new(source) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
            _ => {}
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_diagrams_data_and_lookups_make_no_item() {
        for info in ["bash", "", "sql", "console", "sh {name=x}"] {
            assert!(makes_an_item(info), "{info}");
        }
        for info in [
            "text",
            "YAML",
            "json {x}",
            "mermaid",
            "output",
            "cloudwatch",
        ] {
            assert!(!makes_an_item(info), "{info}");
        }
    }

    #[test]
    fn the_words_of_the_item_with_code_spans_and_no_markers() {
        let t = text_before_block("- Restart **the** node\n  with `systemctl`:\n\n  ");
        assert_eq!(
            t.split_whitespace().collect::<Vec<_>>().join(" "),
            "Restart the node with systemctl:"
        );
    }
}
