//! The programs a bash block runs, for a rehearsal's check that they exist on this machine.
//!
//! A heuristic, not a shell parser: it errs on the side of naming nothing. Quoted text, heredoc
//! bodies, variables, builtins, keywords, functions the block defines and `case` patterns are
//! never taken for programs; wrappers (`sudo`, `env`, `timeout 30`, `xargs`) give their program.

use super::destructive::WRAPPERS;

/// Shell keywords and builtins: never looked up on `PATH`.
const BUILTINS: &[&str] = &[
    "!",
    "{",
    "}",
    "if",
    "then",
    "else",
    "elif",
    "fi",
    "for",
    "while",
    "until",
    "do",
    "done",
    "case",
    "esac",
    "in",
    "function",
    "select",
    "echo",
    "printf",
    "cd",
    "export",
    "read",
    "set",
    "unset",
    "local",
    "return",
    "exit",
    "source",
    ".",
    "eval",
    "test",
    "true",
    "false",
    "shift",
    "trap",
    "wait",
    "declare",
    "typeset",
    "let",
    "alias",
    "unalias",
    "type",
    "hash",
    "pushd",
    "popd",
    "dirs",
    "shopt",
    "ulimit",
    "umask",
    "getopts",
    "jobs",
    "fg",
    "bg",
    "kill",
    "builtin",
    "break",
    "continue",
    "readonly",
    "mapfile",
    "readarray",
    "compgen",
    "complete",
    "enable",
    "help",
    "history",
    "logout",
    "times",
    "caller",
    "disown",
    "suspend",
    ":",
    "[",
    "[[",
    "]]",
];

/// Keywords after which a command starts (`if grep ...`, `do kubectl ...`).
const LEADING: &[&str] = &[
    "if", "then", "else", "elif", "while", "until", "do", "!", "{",
];

/// The programs `code` runs, each once, in order of first use.
pub fn programs(code: &str) -> Vec<String> {
    let mut defined: Vec<String> = Vec::new();
    let mut found: Vec<String> = Vec::new();
    let mut heredoc: Option<String> = None;
    let mut in_case = 0usize;
    for line in logical_lines(code) {
        if let Some(end) = &heredoc {
            if line.trim() == end {
                heredoc = None;
            }
            continue;
        }
        if let Some(end) = heredoc_end(&line) {
            heredoc = Some(end);
        }
        let mut line = unquote(&line);
        if line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(at) = line.find(" #") {
            line.truncate(at);
        }
        if let Some(name) = function_name(&line) {
            defined.push(name);
        }
        if in_case > 0 {
            // `start|restart)` is a pattern, not a command.
            if let Some(at) = line.find(')')
                && !line[..at].contains('(')
            {
                line.replace_range(..=at, " ");
            }
        }
        // `2>&1`, `>&2` and `&>` redirect: their `&` separates nothing.
        let line = line.replace(">&", "> ").replace("&>", " >");
        for simple in line.split(['|', ';', '&', '(', ')', '`']) {
            let words: Vec<&str> = simple.split_whitespace().collect();
            if words.first() == Some(&"case") {
                in_case += 1;
            }
            if words.contains(&"esac") {
                in_case = in_case.saturating_sub(1);
            }
            if let Some(program) = program_of(&words)
                && !defined.iter().any(|d| d == program)
                && !found.iter().any(|f| f == program)
            {
                found.push(program.to_string());
            }
        }
    }
    found.retain(|f| !defined.contains(f));
    found
}

/// The command word of one simple command, if it names a program.
fn program_of<'a>(words: &[&'a str]) -> Option<&'a str> {
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if LEADING.contains(&w) {
            i += 1;
        } else if w.contains('=') && !w.starts_with(['-', '=']) {
            i += 1; // an assignment before the command
        } else if let Some((name, valued)) = WRAPPERS.iter().find(|(name, _)| *name == w) {
            i += 1;
            while let Some(option) = words.get(i).filter(|o| o.starts_with('-')) {
                i += if valued.contains(option) { 2 } else { 1 };
            }
            if *name == "timeout" {
                i += 1; // the duration
            }
        } else {
            break;
        }
    }
    let word = *words.get(i)?;
    let plain = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '+'));
    if !plain
        || word.bytes().all(|b| b.is_ascii_digit())
        || BUILTINS.contains(&word)
        || word.starts_with(['-', '.'])
        || word.contains('/')
    {
        return None;
    }
    Some(word)
}

/// `name() {` or `function name`: the function the line defines.
fn function_name(line: &str) -> Option<String> {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix("function ") {
        let name = rest.split_whitespace().next()?.trim_end_matches("()");
        return Some(name.to_string());
    }
    let (head, _) = t.split_once("()")?;
    let head = head.trim_end();
    (!head.is_empty() && !head.contains(char::is_whitespace)).then(|| head.to_string())
}

/// Quoted text replaced by one `"`, so nothing inside quotes is taken for a command.
fn unquote(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in line.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                    // A quoted word is never a plain program name.
                    out.push('"');
                }
            }
            None if c == '\'' || c == '"' => quote = Some(c),
            None => out.push(c),
        }
    }
    out
}

/// The word that ends a heredoc started on this line (`<<EOF`, `<<-'EOF'`).
fn heredoc_end(line: &str) -> Option<String> {
    let at = line.find("<<")?;
    let rest = line[at + 2..].trim_start_matches('-').trim_start();
    if rest.starts_with('<') {
        return None; // a here-string
    }
    let word: String = rest
        .chars()
        .skip_while(|c| matches!(c, '\'' | '"'))
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

/// Lines with backslash continuations joined.
fn logical_lines(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in code.lines() {
        if let Some(head) = line.strip_suffix('\\') {
            cur.push_str(head);
            cur.push(' ');
        } else {
            cur.push_str(line);
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::programs;

    #[test]
    fn names_the_programs_of_pipes_lists_and_substitutions() {
        assert_eq!(
            programs(
                "kubectl get pods 2>&1 | grep -v Running && jq . x.json >&2; echo done &> /dev/null"
            ),
            ["kubectl", "grep", "jq"]
        );
        assert_eq!(
            programs("NODE=$(aws ec2 describe-instances --query 'a | b')\nssh \"$NODE\" uptime"),
            ["aws", "ssh"]
        );
    }

    #[test]
    fn wrappers_give_the_program_they_run() {
        assert_eq!(
            programs(
                "sudo -u postgres psql -c 'select 1'\nPGHOST=db timeout 30 pg_isready\nenv -i FOO=1 curl -s x | xargs -n1 dig"
            ),
            ["psql", "pg_isready", "curl", "dig"]
        );
    }

    #[test]
    fn never_takes_quotes_builtins_variables_heredocs_or_patterns_for_programs() {
        let code = "# restart it\nif [[ -n \"$X\" ]]; then\n  echo \"a; fake-prog here\"\n  \"$TOOL\" run\n  ./local.sh\nfi\ncat <<'EOF' > f\nnot-a-program --x\nEOF\ncase \"$1\" in\n  start|restart) systemctl restart x ;;\n  *) printf 'no\\n' ;;\nesac\nfor i in 1 2; do sleep 1; done\nfunction helper { :; }\nhelper\nother() {\n  true\n}\nother\n";
        assert_eq!(programs(code), ["cat", "systemctl", "sleep"]);
    }
}
