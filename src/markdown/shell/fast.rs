//! The statement split without a parser, for the blocks most runbooks hold: plain commands, one a
//! line, `\`-continued or chained at a line's end (`|`, `&&`, `||`), and `for`/`while`/`until`/
//! `if` compounds. It gives up (None) on anything else that may span lines (heredocs, quotes or
//! brackets left open at a line's end, `case`, `{ }` groups, functions); tree-sitter reads those.

use super::Statement;

/// An open compound command, and which part of it is being read.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    /// `if`/`elif` read, `then` expected.
    IfCondition,
    /// After `then`: `elif`, `else` or `fi` may come.
    IfBody,
    /// After `else`: only `fi`.
    IfElse,
    /// `for`/`while`/`until` read, `do` expected.
    Loop,
    /// After `do`: `done` expected.
    LoopBody,
}

/// Where a logical statement stands after one of its lines.
enum Line {
    /// Not plain enough to split without the parser.
    Bad,
    /// The statement ends with this line.
    Ends,
    /// The statement goes on on the next line.
    Continues,
}

/// One statement per non-blank, non-comment logical line, or `None` when some line may not be
/// read this way.
pub fn fast_statements(code: &str) -> Option<Vec<Statement>> {
    if memchr::memmem::find(code.as_bytes(), b"<<").is_some() {
        return None;
    }
    let mut out = Vec::new();
    let mut offset = 0;
    // The statement being read: its start, and the compounds open in it.
    let mut current: Option<usize> = None;
    let mut words = Words::default();
    for line in code.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.strip_suffix('\n').unwrap_or(line);
        let trimmed = body.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            if current.is_some() {
                return None; // a blank or comment line inside a statement
            }
            continue;
        }
        let lead = body.len() - body.trim_start().len();
        let first = current.is_none();
        match read_line(trimmed, first, &mut words) {
            Line::Bad => return None,
            Line::Continues => {
                current.get_or_insert(start + lead);
            }
            Line::Ends if !words.open.is_empty() => {
                current.get_or_insert(start + lead);
            }
            Line::Ends => {
                let from = current.take().unwrap_or(start + lead);
                out.push(Statement {
                    range: from..start + lead + trimmed.len(),
                });
            }
        }
    }
    // A statement still open at the end: let the parser say what it is.
    (current.is_none() && words.open.is_empty()).then_some(out)
}

/// Reads one trimmed, non-comment line of a statement (`first`: its first line), updating the
/// open compounds.
fn read_line(line: &str, first: bool, words: &mut Words) -> Line {
    let b = line.as_bytes();
    if b.iter().any(|&c| (c < 0x20 && c != b'\t') || c == 0x7f) {
        return Line::Bad;
    }
    if memchr::memmem::find(b, b"()").is_some() {
        return Line::Bad; // a function definition, whose body may follow
    }
    #[derive(PartialEq)]
    enum Q {
        None,
        Single,
        Double,
    }
    let mut q = Q::None;
    let mut parens = 0i32;
    let mut braces = 0i32;
    let mut code_end = b.len();
    let mut continued = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match q {
            Q::Single => {
                if c == b'\'' {
                    q = Q::None;
                }
            }
            Q::Double => match c {
                b'\\' => i += 1,
                b'"' => q = Q::None,
                // A substitution inside quotes may hold quotes of its own.
                b'`' => return Line::Bad,
                b'$' if b.get(i + 1) == Some(&b'(') => return Line::Bad,
                _ => {}
            },
            Q::None => match c {
                b'\\' if i + 1 == b.len() => {
                    continued = true;
                    code_end = i;
                }
                // An escaped blank joins two words into one: rare, and read by the parser.
                b'\\' if matches!(b.get(i + 1), Some(b' ' | b'\t')) => return Line::Bad,
                b'\\' => i += 1,
                b'\'' => q = Q::Single,
                b'"' => q = Q::Double,
                b'`' => return Line::Bad,
                b'(' => parens += 1,
                b')' => {
                    parens -= 1;
                    if parens < 0 {
                        return Line::Bad;
                    }
                }
                // At a word's start `{` may open a group: only `${X}` and `a{b,c}` are plain.
                b'{' if i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'|' | b'&' | b';' | b'(') => {
                    return Line::Bad;
                }
                b'{' => braces += 1,
                b'}' => {
                    braces -= 1;
                    if braces < 0 {
                        return Line::Bad;
                    }
                }
                // A redirect must have a plain target after it, and a command before it.
                b'<' | b'>' => {
                    if i == 0 {
                        return Line::Bad;
                    }
                    let mut j = i + 1;
                    while j < b.len() && matches!(b[j], b'<' | b'>' | b'&' | b'|') {
                        j += 1;
                    }
                    while j < b.len() && matches!(b[j], b' ' | b'\t') {
                        j += 1;
                    }
                    let target = b
                        .get(j)
                        .is_some_and(|&t| t.is_ascii_alphanumeric() || b"/$\"'.~_-+".contains(&t));
                    if !target {
                        return Line::Bad;
                    }
                }
                b'#' => {
                    let before = if i == 0 { b' ' } else { b[i - 1] };
                    if before == b' ' || before == b'\t' {
                        code_end = i;
                        break;
                    }
                    // `$#`, `${#x}`; a `#` inside a word (a URL's fragment) is left to the parser.
                    if !matches!(before, b'$' | b'{') {
                        return Line::Bad;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    if q != Q::None || parens != 0 || braces != 0 || i > b.len() {
        return Line::Bad;
    }
    // A comment after a `\` is no continuation: leave that to the parser.
    if continued && code_end < b.len() - 1 {
        return Line::Bad;
    }
    let code = line[..code_end].trim_end();
    if code.is_empty() {
        return Line::Bad;
    }
    let start = code.as_bytes().first().copied().unwrap_or(b' ');
    if matches!(start, b'(' | b')' | b'{' | b'}' | b'!' | b';' | b'\\')
        || (first && matches!(start, b'&' | b'|'))
        // `cmd \` then `& other`: a background `&` that splits the joined line.
        || (start == b'&' && !code.starts_with("&&"))
        || code.ends_with("\\\\")
    {
        return Line::Bad;
    }
    let chained = code.ends_with("&&") || code.ends_with("||") || code.ends_with('|');
    if !chained && (code.ends_with('&') || code.ends_with(';')) {
        return Line::Bad;
    }
    if chained && continued {
        return Line::Bad;
    }
    // `echo ; |`: an operator with no command before it is malformed; the parser decides.
    if chained
        && code
            .trim_end_matches(['|', '&'])
            .trim_end()
            .ends_with([';', '&', '|'])
    {
        return Line::Bad;
    }
    // `x=1 y=2` alone on a line: tree-sitter-bash reads the next line as the command these
    // assignments are for, where bash runs them on their own; left to the parser, which the walk
    // follows, so that one reading decides.
    let mut parts = code.split_ascii_whitespace();
    if parts.clone().count() > 1 && parts.all(super::interactive::is_assignment) {
        return Line::Bad;
    }
    if !words.read(code) {
        return Line::Bad;
    }
    // A line end is a separator, unless a `\` joins the next line to this one.
    if !continued {
        words.command_position = true;
        words.closed = false;
    }
    words.after_chain = chained;
    if continued || chained {
        Line::Continues
    } else {
        Line::Ends
    }
}

/// What the reading of a statement's words carries from one line to the next.
struct Words {
    /// The open compounds, each with whether its current part has a command yet.
    open: Vec<(Open, bool)>,
    /// The next word is a command (or a reserved word).
    command_position: bool,
    /// Right after `fi`/`done`: only a separator or a redirect may follow.
    closed: bool,
    /// Right after `|`, `&&`, `||`: a command must follow, not a keyword that ends a part.
    after_chain: bool,
}

impl Default for Words {
    fn default() -> Self {
        Words {
            open: Vec::new(),
            command_position: true,
            closed: false,
            after_chain: false,
        }
    }
}

impl Words {
    /// Follows the reserved words in command position (`if`/`then`/`fi`, `for`/`do`/`done`,
    /// ...); false on anything this reading does not handle, malformed compounds included.
    fn read(&mut self, code: &str) -> bool {
        // A `for`/`select` whose variable has not come yet: one at a line's end, or followed by
        // anything but a name, is malformed (or `for ((`), which the parser reads its own way.
        let mut awaiting_name = false;
        for token in tokens(code) {
            let word = match token {
                Token::Separator(_) if awaiting_name => return false,
                Token::Separator(chain) => {
                    if self.after_chain {
                        return false; // `a | ;`
                    }
                    self.command_position = true;
                    self.closed = false;
                    self.after_chain = chain;
                    continue;
                }
                Token::Word(word) => word,
            };
            let was_awaiting = std::mem::take(&mut awaiting_name);
            let is_name = |w: &str| {
                w.bytes()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
                    && w.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
            };
            if was_awaiting && !is_name(word) {
                return false;
            }
            if self.closed {
                let redirect = word.trim_start_matches(|c: char| c.is_ascii_digit());
                if !(redirect.starts_with('<') || redirect.starts_with('>')) {
                    return false;
                }
                continue;
            }
            if !self.command_position {
                continue;
            }
            // A redirect before the command (`2>&1 cmd`): rare, and read its own way.
            let bare = word.trim_start_matches(|c: char| c.is_ascii_digit());
            if bare.starts_with(['<', '>']) || bare.starts_with("&>") {
                return false;
            }
            // `x=1 2>&1`: an assignment with a redirect, which the grammar reads its own way.
            if word.split_once('=').is_some_and(|(name, _)| {
                !name.is_empty() && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
            }) && code.contains(['<', '>'])
            {
                return false;
            }
            let after_chain = std::mem::take(&mut self.after_chain);
            self.command_position = false;
            let open = &mut self.open;
            let top = open.last().copied();
            let filled = top.is_some_and(|(_, f)| f);
            // Each keyword moves the innermost compound on, or it is not read here.
            let (pop, push, next_is_command) = match (word, top.map(|(o, _)| o)) {
                ("then" | "elif" | "else" | "fi" | "do" | "done", _) if after_chain => {
                    return false;
                }
                ("if", _) => (false, Some((Open::IfCondition, false)), true),
                ("while" | "until", _) => (false, Some((Open::Loop, false)), true),
                // `for x in …`: its list may be empty, and is no command.
                ("for" | "select", _) => (false, Some((Open::Loop, true)), false),
                ("then", Some(Open::IfCondition)) if filled => {
                    (true, Some((Open::IfBody, false)), true)
                }
                ("elif", Some(Open::IfBody)) if filled => {
                    (true, Some((Open::IfCondition, false)), true)
                }
                ("else", Some(Open::IfBody)) if filled => (true, Some((Open::IfElse, false)), true),
                ("fi", Some(Open::IfBody | Open::IfElse)) if filled => (true, None, false),
                ("do", Some(Open::Loop)) if filled => (true, Some((Open::LoopBody, false)), true),
                ("done", Some(Open::LoopBody)) if filled => (true, None, false),
                ("then" | "elif" | "else" | "fi" | "do" | "done", _) => return false,
                (
                    "case" | "esac" | "function" | "in" | "{" | "}" | "[[" | "]]" | "((" | "))"
                    | "!" | "time" | "coproc",
                    _,
                ) => return false,
                _ => {
                    // A command: the innermost compound's current part has one now.
                    if let Some((_, f)) = open.last_mut() {
                        *f = true;
                    }
                    continue;
                }
            };
            if pop {
                open.pop();
            }
            match push {
                Some(entry) => open.push(entry),
                None => {
                    // A whole compound is a command of the part around it.
                    self.closed = true;
                    if let Some((_, f)) = open.last_mut() {
                        *f = true;
                    }
                }
            }
            self.command_position = next_is_command;
            awaiting_name = !was_awaiting && matches!(word, "for" | "select");
        }
        !awaiting_name
    }
}

enum Token<'a> {
    Word(&'a str),
    /// `;`, `&`, `|`, `&&`, `||`: what follows is in command position; true for the chains
    /// (`|`, `&&`, `||`), which need a command after them.
    Separator(bool),
}

/// The words of a line whose quotes are balanced, split at blanks and at `;`, `&`, `|`
/// outside quotes (redirects such as `2>&1` are part of a word).
fn tokens(code: &str) -> impl Iterator<Item = Token<'_>> {
    let b = code.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        if matches!(b[i], b';' | b'|')
            || (b[i] == b'&' && (i == 0 || b[i - 1] != b'>') && b.get(i + 1) != Some(&b'>'))
        {
            let from = i;
            while i < b.len() && matches!(b[i], b';' | b'&' | b'|') {
                i += 1;
            }
            let op = &code[from..i];
            return Some(Token::Separator(matches!(op, "|" | "&&" | "||")));
        }
        let start = i;
        let mut quote: Option<u8> = None;
        while i < b.len() {
            let c = b[i];
            match quote {
                Some(q) if c == q => quote = None,
                Some(b'"') if c == b'\\' => i += 1,
                Some(_) => {}
                None if c == b'\\' => i += 1,
                None if c == b'\'' || c == b'"' => quote = Some(c),
                None if matches!(c, b' ' | b'\t' | b';' | b'|') => break,
                None if c == b'&'
                    && i > start
                    && b[i - 1] != b'>'
                    && b.get(i + 1) != Some(&b'>') =>
                {
                    break;
                }
                None => {}
            }
            i += 1;
        }
        let end = i.min(b.len());
        Some(Token::Word(&code[start..end]))
    })
}
