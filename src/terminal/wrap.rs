//! Wrapping terminal text at word boundaries to a width: escape sequences take no room, East
//! Asian wide characters take two columns (and a line may break between them), and a colour
//! running over a break is closed at the line's end and reopened after the next line's prefix.

use unicode_width::UnicodeWidthChar;

/// The columns `text` takes on a terminal, without its SGR escape sequences.
pub fn display_width(text: &str) -> usize {
    pieces(text)
        .filter_map(|p| match p {
            Piece::Char(c) => Some(c.width().unwrap_or(0)),
            Piece::Escape(_) => None,
        })
        .sum()
}

/// `text` (one line) broken at spaces to fit `width` columns: the first line starts with
/// `first`, the others with `rest`. Without a width (not a terminal) the line is kept whole. A
/// word longer than a line is never cut (a URL stays whole, to copy), except between wide
/// characters, where a line may break anywhere.
pub fn wrap(text: &str, width: Option<usize>, first: &str, rest: &str) -> String {
    let text = text.trim_end();
    if !text.contains('\n') {
        return wrap_line(text, width, first, rest);
    }
    // Each line of a multi-line text is wrapped on its own; a line's own indent is kept, and its
    // continuation lines hang two columns further in.
    text.split('\n')
        .enumerate()
        .map(|(k, line)| {
            if k == 0 {
                return wrap_line(line, width, first, rest);
            }
            let body = line.trim_start_matches(' ');
            let indent = &line[..line.len() - body.len()];
            wrap_line(body, width, indent, &format!("{indent}  "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One line of [`wrap`].
fn wrap_line(text: &str, width: Option<usize>, first: &str, rest: &str) -> String {
    let text = text.trim_end();
    let Some(width) = width else {
        return format!("{first}{text}");
    };
    let mut out = String::with_capacity(text.len() + 16);
    let mut line = Line::new(first);
    // The SGR sequence in effect (a colour opened and not yet reset).
    let mut active = String::new();
    for (k, word) in text.split(' ').enumerate() {
        if word.is_empty() && k > 0 {
            // Runs of spaces are kept as they are while the line goes on.
            line.pending_spaces += 1;
            continue;
        }
        for (j, token) in tokens(word).into_iter().enumerate() {
            let spaces = if j == 0 {
                line.pending_spaces + usize::from(k > 0)
            } else {
                0
            };
            let glued = j > 0;
            let breakable = !glued || token.wide || line.last_wide;
            let fits = line.width + spaces + token.width <= width;
            if !fits && breakable && line.has_text {
                if !active.is_empty() {
                    line.text.push_str("\x1b[0m");
                }
                out.push_str(line.text.trim_end());
                out.push('\n');
                line = Line::new(rest);
                line.text.push_str(&active);
            } else {
                line.text.extend(std::iter::repeat_n(' ', spaces));
                line.width += spaces;
            }
            line.pending_spaces = 0;
            for piece in pieces(token.text) {
                match piece {
                    Piece::Escape(seq) => {
                        if seq == "\x1b[0m" || seq == "\x1b[m" {
                            active.clear();
                        } else if seq.ends_with('m') {
                            active.push_str(seq);
                        }
                        line.text.push_str(seq);
                    }
                    Piece::Char(c) => line.text.push(c),
                }
            }
            line.width += token.width;
            line.has_text |= token.width > 0;
            line.last_wide = token.wide;
        }
        if word.is_empty() {
            line.pending_spaces = 0;
        }
    }
    out.push_str(line.text.trim_end());
    out
}

/// The line being filled.
struct Line {
    text: String,
    width: usize,
    /// Something other than the prefix is on it: a break before the next word is allowed.
    has_text: bool,
    /// It ends with a wide character: a break before the next one is allowed.
    last_wide: bool,
    pending_spaces: usize,
}

impl Line {
    fn new(prefix: &str) -> Line {
        Line {
            text: prefix.to_string(),
            width: display_width(prefix),
            has_text: false,
            last_wide: false,
            pending_spaces: 0,
        }
    }
}

/// A piece of a word that is placed whole: a run of narrow characters, or one wide character.
struct Token<'a> {
    text: &'a str,
    width: usize,
    wide: bool,
}

fn tokens(word: &str) -> Vec<Token<'_>> {
    let mut out: Vec<Token<'_>> = Vec::new();
    let mut start = 0;
    let mut width = 0;
    let mut pos = 0;
    for piece in pieces(word) {
        let len = match piece {
            Piece::Escape(seq) => seq.len(),
            Piece::Char(c) => c.len_utf8(),
        };
        if let Piece::Char(c) = piece
            && c.width().unwrap_or(0) > 1
        {
            if pos > start {
                out.push(Token {
                    text: &word[start..pos],
                    width,
                    wide: false,
                });
            }
            out.push(Token {
                text: &word[pos..pos + len],
                width: c.width().unwrap_or(2),
                wide: true,
            });
            start = pos + len;
            width = 0;
        } else if let Piece::Char(c) = piece {
            width += c.width().unwrap_or(0);
        }
        pos += len;
    }
    if pos > start || out.is_empty() {
        out.push(Token {
            text: &word[start..pos],
            width,
            wide: false,
        });
    }
    out
}

enum Piece<'a> {
    Char(char),
    /// A CSI escape sequence, such as a colour.
    Escape(&'a str),
}

/// Characters and whole CSI sequences (`ESC [ ... final`), in order.
fn pieces(text: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let c = rest.chars().next()?;
        if c == '\x1b' && rest[1..].starts_with('[') {
            let end = rest[2..]
                .find(|c: char| ('\u{40}'..='\u{7e}').contains(&c))
                .map_or(rest.len(), |i| i + 3);
            let (seq, tail) = rest.split_at(end);
            rest = tail;
            return Some(Piece::Escape(seq));
        }
        rest = &rest[c.len_utf8()..];
        Some(Piece::Char(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_at_spaces_with_a_hanging_indent() {
        assert_eq!(
            wrap(
                "drain the node before you restart it",
                Some(16),
                "  • ",
                "    "
            ),
            "  • drain the\n    node before\n    you restart\n    it"
        );
        assert_eq!(wrap("short", Some(16), "", ""), "short");
        assert_eq!(
            wrap("no width at all here", None, "> ", "  "),
            "> no width at all here"
        );
    }

    #[test]
    fn a_long_word_is_never_cut() {
        assert_eq!(
            wrap(
                "see https://example.com/a/very/long/path now",
                Some(12),
                "",
                ""
            ),
            "see\nhttps://example.com/a/very/long/path\nnow"
        );
    }

    #[test]
    fn wide_characters_count_two_and_break_between_them() {
        assert_eq!(display_width("東京 ok"), 7);
        let wrapped = wrap("東京都の新宿区にあるサーバー", Some(10), "", "");
        assert_eq!(wrapped, "東京都の新\n宿区にある\nサーバー");
        assert!(wrapped.lines().all(|l| display_width(l) <= 10));
    }

    #[test]
    fn colours_take_no_room_and_are_reopened_after_a_break() {
        let text = "run \x1b[36mkubectl get pods now\x1b[0m then";
        assert_eq!(display_width(text), 29);
        assert_eq!(
            wrap(text, Some(16), "│ ", "│ "),
            "│ run \x1b[36mkubectl\x1b[0m\n│ \x1b[36mget pods now\x1b[0m\n│ then"
        );
    }

    #[test]
    fn each_line_of_a_multi_line_text_is_wrapped_on_its_own() {
        let text = "Warning: two things missing:\n      `redis-cli` is not on PATH (step 3 command 1, step 4 command 1)";
        let out = wrap(text, Some(40), "", "    ");
        assert_eq!(
            out,
            "Warning: two things missing:\n      `redis-cli` is not on PATH (step 3\n        command 1, step 4 command 1)"
        );
    }
}
