//! Finds the `$vars` a shell command reads but does not set (of any case: `$host` as well as
//! `$HOST`), so a walk can ask for them once.

use super::console::heredoc_delimiters;

/// Variables the shell or the login environment always provides. A `match`: it compares
/// lengths before bytes, cheaper than a binary search over the names for every use.
fn is_provided(name: &str) -> bool {
    matches!(
        name,
        "_" | "BASH"
            | "BASHPID"
            | "BASH_ARGC"
            | "BASH_ARGV"
            | "BASH_COMMAND"
            | "BASH_SUBSHELL"
            | "BASH_LINENO"
            | "BASH_REMATCH"
            | "BASH_SOURCE"
            | "BASH_VERSION"
            | "COLUMNS"
            | "DIRSTACK"
            | "EPOCHREALTIME"
            | "EPOCHSECONDS"
            | "EUID"
            | "FUNCNAME"
            | "GROUPS"
            | "HOME"
            | "HOSTNAME"
            | "HOSTTYPE"
            | "IFS"
            | "LANG"
            | "LINENO"
            | "LINES"
            | "LOGNAME"
            | "MACHTYPE"
            | "OLDPWD"
            | "OPTARG"
            | "OPTERR"
            | "OPTIND"
            | "OSTYPE"
            | "PATH"
            | "PIPESTATUS"
            | "PPID"
            | "PS1"
            | "PS2"
            | "PS4"
            | "PWD"
            | "RANDOM"
            | "REPLY"
            | "SECONDS"
            | "SHELL"
            | "SHLVL"
            | "SRANDOM"
            | "TERM"
            | "TMPDIR"
            | "UID"
            | "USER"
    )
}

/// A variable read by a command, at a byte offset into the command text.
#[derive(Debug, PartialEq, Eq)]
pub struct Use<'a> {
    pub name: &'a str,
    pub offset: usize,
}

/// Buffers that `unset_uses` reuses from one command to the next, so that scanning all of a
/// runbook's commands does not allocate per command.
#[derive(Default)]
pub struct Scratch<'a> {
    uses: Vec<Use<'a>>,
    assigned: Vec<&'a str>,
}

/// Variables `code` reads without setting them (nor giving them a `${X:-default}`), any case.
pub fn unset_uses<'a, 's>(code: &'a str, scratch: &'s mut Scratch<'a>) -> &'s [Use<'a>] {
    let Scratch { uses, assigned } = scratch;
    uses.clear();
    assigned.clear();
    // Every use is a `$` expansion: without one there is nothing to find.
    if memchr::memchr(b'$', code.as_bytes()).is_none() {
        return uses;
    }
    scan(code, uses, assigned);
    uses.retain(|u| !assigned.contains(&u.name) && !is_provided(u.name));
    uses
}

/// Where `code` reads the variables it does not set: each name with the byte range of
/// its plain `$NAME` or `${NAME}` expansion (other forms, like `${NAME%x}`, are left out), so a
/// command can be shown with its values in place.
pub fn plain_expansions(code: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut scratch = Scratch::default();
    let b = code.as_bytes();
    unset_uses(code, &mut scratch)
        .iter()
        .filter_map(|u| {
            let start = u.offset;
            let braced = b.get(start + 1) == Some(&b'{');
            let end = if braced {
                let close = start + 2 + u.name.len();
                (b.get(close) == Some(&b'}')).then_some(close + 1)?
            } else {
                start + 1 + u.name.len()
            };
            Some((u.name.to_string(), start..end))
        })
        .collect()
}

/// The names a step's runnable commands assign, read in order, each command scanned once and
/// only on first need. Borrowed from the commands: no copy per name.
#[derive(Default)]
pub struct EarlierAssignments<'a> {
    scanned: usize,
    names: std::collections::HashSet<&'a str>,
    uses: Vec<Use<'a>>,
}

impl<'a> EarlierAssignments<'a> {
    /// Whether one of `earlier` (the commands before the one being read, in order) sets `name`.
    pub fn sets(&mut self, earlier: &'a [crate::runbook::Command], name: &str) -> bool {
        self.read(earlier);
        self.names.contains(name)
    }

    /// Reads the commands of `commands` not read yet.
    fn read(&mut self, commands: &'a [crate::runbook::Command]) {
        for command in commands.iter().skip(self.scanned) {
            if command.runnable && command.annotations.runner.is_none() {
                let mut assigned = Vec::new();
                self.uses.clear();
                scan(&command.code, &mut self.uses, &mut assigned);
                self.names.extend(assigned);
            }
        }
        self.scanned = self.scanned.max(commands.len());
    }

    /// Every name `commands` (the whole step these were read from) set, added to `into`: what
    /// later steps find already set.
    pub fn add_all(
        mut self,
        commands: &'a [crate::runbook::Command],
        into: &mut std::collections::HashSet<&'a str>,
    ) {
        self.read(commands);
        into.extend(self.names);
    }
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Bytes that `scan` treats alike in the middle of a word: they only mean "not at a word start".
/// Everything else (quotes, escapes, newlines, `$`, `<`, word separators) is looked at one by one.
fn is_plain(b: u8) -> bool {
    PLAIN[usize::from(b)]
}

/// `is_plain` as a table: one load per byte in the hot loop.
const PLAIN: [bool; 256] = {
    let mut table = [true; 256];
    let special = b"\\\n$'\"< \t;&|()`{}!";
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = false;
        i += 1;
    }
    table
};

#[derive(Clone, Copy, PartialEq)]
enum Quote {
    None,
    Single,
    Double,
}

/// One pass over the text: variable uses outside single quotes, and names the text assigns.
fn scan<'a>(code: &'a str, uses: &mut Vec<Use<'a>>, assigned: &mut Vec<&'a str>) {
    let b = code.as_bytes();
    let mut quote = Quote::None;
    let mut at_word_start = true;
    let mut i = 0;
    let mut pending_heredocs: Vec<(String, bool)> = Vec::new();
    while i < b.len() {
        let c = b[i];
        match quote {
            Quote::Single => {
                // Nothing is special inside single quotes but the closing one.
                match memchr::memchr(b'\'', &b[i..]) {
                    Some(n) => {
                        quote = Quote::None;
                        i += n + 1;
                    }
                    None => i = b.len(),
                }
                continue;
            }
            Quote::Double if c == b'"' => {
                quote = Quote::None;
                i += 1;
                continue;
            }
            _ => {}
        }
        if c == b'\\' {
            i += 2;
            at_word_start = false;
            continue;
        }
        if c == b'\n' {
            at_word_start = true;
            i += 1;
            // Heredoc bodies start on the next line: quoted delimiters make them literal.
            for (delimiter, literal) in std::mem::take(&mut pending_heredocs) {
                let body_start = i;
                let mut end = b.len();
                let mut j = i;
                while j < b.len() {
                    let line_end = code[j..].find('\n').map_or(b.len(), |n| j + n);
                    if code[j..line_end].trim() == delimiter {
                        end = line_end;
                        break;
                    }
                    j = line_end + 1;
                }
                if !literal {
                    let (inner, _) = scan_expansions_only(&code[body_start..end.min(b.len())]);
                    uses.extend(inner.into_iter().map(|u| Use {
                        offset: u.offset + body_start,
                        ..u
                    }));
                }
                i = end.min(b.len());
            }
            continue;
        }
        if quote == Quote::None {
            match c {
                b'\'' => {
                    quote = Quote::Single;
                    i += 1;
                    at_word_start = false;
                    continue;
                }
                b'"' => {
                    quote = Quote::Double;
                    i += 1;
                    at_word_start = false;
                    continue;
                }
                b'#' if at_word_start => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'<' if code[i..].starts_with("<<") && !code[i..].starts_with("<<<") => {
                    let line_end = code[i..].find('\n').map_or(b.len(), |n| i + n);
                    let head = &code[i..line_end];
                    for d in heredoc_delimiters(head) {
                        let literal =
                            head.contains(&format!("'{d}'")) || head.contains(&format!("\"{d}\""));
                        pending_heredocs.push((d, literal));
                    }
                    i += 2;
                    continue;
                }
                _ => {}
            }
            if at_word_start && is_name_start(c) {
                let end = word_end(b, i);
                let word = &code[i..end];
                // `X=1`, `X+=1`, `arr=(a b)`, `arr+=(c)`.
                if b.get(end) == Some(&b'=')
                    || (b.get(end) == Some(&b'+') && b.get(end + 1) == Some(&b'='))
                {
                    assigned.push(word);
                } else if matches!(
                    word,
                    "read"
                        | "for"
                        | "select"
                        | "let"
                        | "getopts"
                        | "export"
                        | "local"
                        | "declare"
                        | "readonly"
                        | "typeset"
                        | "mapfile"
                        | "readarray"
                ) {
                    names_after(code, end, word, assigned);
                }
            }
        }
        if c == b'$'
            && let Some((name, default, len)) = expansion_at(code, i)
        {
            if default {
                assigned.push(name);
            }
            uses.push(Use { name, offset: i });
            i += len;
            at_word_start = false;
            continue;
        }
        at_word_start = matches!(
            c,
            b' ' | b'\t' | b';' | b'&' | b'|' | b'(' | b')' | b'`' | b'{' | b'}' | b'!'
        );
        i += 1;
        // The rest of a word changes nothing but `at_word_start`, already false: skip it whole.
        if !at_word_start {
            while i < b.len() && is_plain(b[i]) {
                i += 1;
            }
        }
    }
}

/// Expansions in a heredoc body, where quotes are plain characters.
fn scan_expansions_only(text: &str) -> (Vec<Use<'_>>, ()) {
    let mut uses = Vec::new();
    let mut i = 0;
    while let Some(pos) = text[i..].find('$') {
        let at = i + pos;
        if at > 0 && text.as_bytes()[at - 1] == b'\\' {
            i = at + 1;
            continue;
        }
        match expansion_at(text, at) {
            Some((name, _, len)) => {
                uses.push(Use { name, offset: at });
                i = at + len;
            }
            None => i = at + 1,
        }
    }
    (uses, ())
}

fn word_end(b: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < b.len() && is_name_char(b[end]) {
        end += 1;
    }
    end
}

/// Names set by `read -r A B`, `for X in`, `for ((i=0; ...))`, `export A=1 B`, `local X`,
/// `let i=1`, `getopts ab opt`.
fn names_after<'a>(code: &'a str, from: usize, keyword: &str, out: &mut Vec<&'a str>) {
    let line = code[from..].lines().next().unwrap_or("");
    if keyword == "for"
        && let Some(arith) = line.trim_start().strip_prefix("((")
    {
        // C-style loop: the names assigned in its first clause.
        let init = arith.split(';').next().unwrap_or("");
        for part in init.split(',') {
            let part = part.trim_start();
            let end = word_end(part.as_bytes(), 0);
            if end > 0 && part[end..].trim_start().starts_with('=') {
                out.push(&part[..end]);
            }
        }
        return;
    }
    let line = line.split([';', '|', '&']).next().unwrap_or("");
    // `getopts OPTSTRING NAME`: the optstring is not a name.
    let skip = usize::from(keyword == "getopts");
    for word in line.split_whitespace().skip(skip) {
        if word.starts_with('-') {
            continue;
        }
        // The leading name characters; all ASCII, so the byte count is where they end.
        let end = word_end(word.as_bytes(), 0);
        let name = &word[..end];
        if name.is_empty() || name.as_bytes()[0].is_ascii_digit() {
            break;
        }
        out.push(name);
        if keyword == "for" {
            break;
        }
    }
}

/// `$NAME` or `${NAME...}` at `at`: the name, whether it carries a default, and the length read.
fn expansion_at(code: &str, at: usize) -> Option<(&str, bool, usize)> {
    let b = code.as_bytes();
    let next = *b.get(at + 1)?;
    if next == b'{' {
        let start = at + 2;
        let end = word_end(b, start);
        if end == start || !is_name_start(b[start]) {
            return None;
        }
        let close = code[end..].find('}').map_or(b.len(), |n| end + n + 1);
        let op = &code[end..close.min(b.len())];
        let default = op.starts_with(":-")
            || op.starts_with(":=")
            || op.starts_with('-')
            || op.starts_with('=');
        return Some((&code[start..end], default, close - at));
    }
    if is_name_start(next) {
        let end = word_end(b, at + 1);
        return Some((&code[at + 1..end], false, end - at));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(code: &str) -> Vec<String> {
        let mut scratch = Scratch::default();
        let mut v: Vec<String> = unset_uses(code, &mut scratch)
            .iter()
            .map(|u| u.name.to_string())
            .collect();
        v.dedup();
        v
    }

    #[test]
    fn finds_plain_and_braced_uses() {
        assert_eq!(
            names("ssh $NODE \"sudo ${SERVICE} status\""),
            ["NODE", "SERVICE"]
        );
    }

    #[test]
    fn ignores_specials_single_quotes_and_comments() {
        assert!(names("echo $1 $? $$ $! $# $- $_ $@ $* $HOME '$NOT_THIS' # $NOR_THIS").is_empty());
        assert!(names("awk '{print $NF}'").is_empty());
        assert!(names("echo ${#list[@]} ${!ref} $((n + 1)) $(date)").is_empty());
    }

    #[test]
    fn lower_case_variables_are_variables_too() {
        assert_eq!(
            names("ssh $host \"systemctl status ${service}\" -p $Port"),
            ["host", "service", "Port"]
        );
    }

    #[test]
    fn lower_case_names_the_block_sets_are_not_asked() {
        assert!(names("for h in a b; do echo $h; done").is_empty());
        assert!(names("for ((i = 0, j = 1; i < 3; i++)); do echo $i $j; done").is_empty());
        assert!(names("while read -r line; do echo $line; done < f").is_empty());
        assert!(names("select opt in a b; do echo $opt; done").is_empty());
        assert!(names("let n=1+1; echo $n").is_empty());
        assert!(names("while getopts ab: flag; do echo $flag; done").is_empty());
        assert!(names("list=(a b); list+=(c); echo $list").is_empty());
        assert!(names("count+=1; echo $count").is_empty());
        assert_eq!(names("local a=1; echo $a $b"), ["b"]);
    }

    #[test]
    fn ignores_what_the_block_sets() {
        assert!(names("NS=openshift-etcd\noc get pods -n $NS").is_empty());
        assert!(names("export A=1 B\necho $A $B").is_empty());
        assert!(names("for NODE in a b; do echo $NODE; done").is_empty());
        assert!(names("read -r ANSWER\necho $ANSWER").is_empty());
        assert!(names("echo ${REGION:-eu-west-2}").is_empty());
    }

    #[test]
    fn heredocs_expand_unless_quoted() {
        assert_eq!(
            names("cat <<EOF\n$HOST\nEOF\ncat <<'EOF'\n$LITERAL\nEOF\n"),
            ["HOST"]
        );
    }

    #[test]
    fn go_templates_are_not_variables() {
        assert!(
            names("oc get nodes -o template --template='{{range $k, $v := .x}}{{end}}'").is_empty()
        );
    }

    #[test]
    fn variables_the_shell_provides_are_not_asked_for() {
        assert_eq!(names("echo $HOME $PATH $RANDOM $USER_HOME"), ["USER_HOME"]);
    }

    #[test]
    fn escaped_dollar_is_literal() {
        assert!(names("echo \\$NOT_A_VAR").is_empty());
    }
}
